package io.vizrelay.app;

import io.vizrelay.app.launcher.Launcher;
import io.vizrelay.app.launcher.RunOptions;
import io.vizrelay.app.launcher.Timing;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code vizrelay run} in this JVM, on a thread of its own, with short intervals; its output
 * captured.
 */
final class LaunchedRun {
  /** Short intervals so tests see heartbeats, retries and batches quickly. */
  static final Timing FAST =
      new Timing(
          Duration.ofMillis(300),
          Duration.ofSeconds(1),
          Duration.ofMillis(50),
          Duration.ofMillis(300),
          Duration.ofSeconds(60),
          Duration.ofMillis(50));

  final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private LaunchedRun() {}

  /** Starts {@code run ARGS} (as given on the command line after {@code run}). */
  static LaunchedRun start(String... args) throws RunOptions.UsageException {
    RunOptions options = RunOptions.parse(List.of(args), Map.of());
    LaunchedRun run = new LaunchedRun();
    Launcher launcher =
        new Launcher(
            options,
            FAST,
            new PrintStream(run.out, true, StandardCharsets.UTF_8),
            new PrintStream(run.err, true, StandardCharsets.UTF_8));
    Thread t =
        new Thread(
            () -> {
              try {
                run.exit.complete(launcher.run());
              } catch (Throwable e) {
                run.exit.completeExceptionally(e);
              }
            },
            "launched-run");
    t.setDaemon(true);
    t.start();
    return run;
  }

  static String[] args(String server, String task, List<String> options, String... command) {
    List<String> all = new ArrayList<>(List.of("--server", server, "--task", task));
    all.addAll(options);
    all.add("--");
    all.addAll(List.of(command));
    return all.toArray(String[]::new);
  }

  int awaitExit() throws Exception {
    try {
      return exit.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(
          "the launcher did not end within 60 s; stderr:\n" + err() + TestServer.threadDump());
    }
  }

  String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
