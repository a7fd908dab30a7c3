package io.vizrelay.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Restart time (issue 3, durability): a task with 1M stored points, the server killed with SIGKILL
 * and started again on the same data directory; measured from the start of the new process to
 * {@code /health} answering 200, and the store's own replay time from its log line. Snapshots bound
 * the frames replayed; the table shows how many there were.
 */
final class RestartScenario implements Scenario {
  static final int POINTS = 1_000_000;
  private static final Pattern OPENED =
      Pattern.compile("store opened: .* framesReplayed=(\\d+) ms=(\\d+)");

  @Override
  public String name() {
    return "restart";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Table t =
        new Table(
            "Restart after kill -9 with 1M stored points (fsync=batch fill)",
            "stored points",
            "process start → healthy ms",
            "store replay ms",
            "frames replayed",
            "db size",
            "runs");
    Path dir = Files.createTempDirectory("vizrelay-restart-");
    ServerProcess first =
        ServerProcess.vizrelayIn(
            dir, ctx.options.serverJar(), "batch", ctx.options.serverJvmOpts());
    int points = ctx.pick(POINTS, 200_000);
    LateJoinScenario.fill(ctx, first, "bench-restart", points);
    first.kill9();
    List<Long> starts = new ArrayList<>();
    String replay = "?";
    String frames = "?";
    int runs = ctx.pick(3, 1);
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      ServerProcess again =
          ServerProcess.vizrelayIn(
              dir, ctx.options.serverJar(), "batch", ctx.options.serverJvmOpts());
      starts.add(System.nanoTime() - t0);
      Matcher m = OPENED.matcher(Files.readString(dir.resolve("server.log")));
      while (m.find()) {
        frames = m.group(1);
        replay = m.group(2);
      }
      again.kill9();
    }
    long[] sorted = starts.stream().mapToLong(Long::longValue).sorted().toArray();
    long db = Files.size(dir.resolve("vizrelay.db"));
    t.row(points, Stats.ms(Stats.percentile(sorted, 50)), replay, frames, Table.bytes(db), runs);
    ctx.log(
        "restart with %d points: healthy after %s ms (median), store replay %s ms",
        points, Stats.ms(Stats.percentile(sorted, 50)), replay);
    ctx.tables.add(t);
    ServerProcess.vizrelayIn(dir, ctx.options.serverJar(), "batch", ctx.options.serverJvmOpts())
        .close();
  }
}
