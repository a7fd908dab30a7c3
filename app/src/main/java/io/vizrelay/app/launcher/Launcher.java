package io.vizrelay.app.launcher;

import io.vizrelay.common.model.TaskStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * {@code vizrelay run}: registers the task, runs the command in its own process group, ends it when
 * a stop is requested (or the launcher is signalled), and reports how it ended. {@link #run}
 * returns the command's exit status (its code, or 128 + the signal that ended it).
 */
public final class Launcher {
  /** Exit status when the server refuses the task (another user's key, another user's task). */
  public static final int EXIT_REFUSED = 77;

  /** Exit status when the command cannot be started. */
  public static final int EXIT_CANNOT_START = 127;

  /** Longest command line kept in the task's meta. */
  static final int MAX_COMMAND_CHARS = 2000;

  private final RunOptions options;
  private final Timing timing;
  private final Log log;
  private final PrintStream out;
  private final PrintStream err;
  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile Terminator terminator;
  private volatile int status = -1;

  public Launcher(RunOptions options, Timing timing, PrintStream out, PrintStream err) {
    this.options = options;
    this.timing = timing;
    this.out = out;
    this.err = err;
    this.log = new Log(err);
  }

  /**
   * Runs the command to its end; its exit status, or {@link #EXIT_REFUSED} / {@link
   * #EXIT_CANNOT_START}.
   */
  public int run() throws InterruptedException {
    try {
      status = runCommand();
      return status;
    } finally {
      started.countDown();
      done.countDown();
    }
  }

  /**
   * The launcher itself was signalled (Ctrl-C, SIGTERM): ends the command as a stop from the page
   * would, and waits until its outcome is reported. The exit status, or -1 when nothing ran.
   */
  public int stopFromSignal() throws InterruptedException {
    started.await();
    Terminator t = terminator;
    if (t != null) {
      t.start("launcher signalled");
    }
    done.await();
    return status;
  }

  private int runCommand() throws InterruptedException {
    ServerHttp http = new ServerHttp(options.server(), options.apiKey());
    TaskinfoClient client = new TaskinfoClient(http, options.taskId());
    TaskReporter reporter = new TaskReporter(client, registration(), timing, log);
    try {
      reporter.registerFirst();
    } catch (ServerHttp.Refused e) {
      log.info(
          "the server refused task "
              + options.taskId()
              + " ("
              + e.getMessage()
              + "); nothing started");
      return EXIT_REFUSED;
    }
    GroupProcess child;
    try {
      child = GroupProcess.start(options.command(), childEnv(), options.captureOutput());
    } catch (IOException e) {
      log.info("cannot start " + options.command().get(0) + ": " + e.getMessage());
      reporter.finish(TaskStatus.FAILED, EXIT_CANNOT_START);
      return EXIT_CANNOT_START;
    }
    terminator = new Terminator(child, options.graceSeconds(), log);
    started.countDown();
    Mirror mirror =
        options.captureOutput()
            ? Mirror.start(child, http, options.taskId(), timing, out, err)
            : null;
    ControlWatcher watcher = new ControlWatcher(client, timing, terminator::start, log);
    reporter.attach(child.pid(), watcher::start);
    int code = child.waitFor();
    watcher.close();
    if (mirror != null) {
      mirror.close(System.nanoTime() + timing.reportFor().toNanos());
    }
    TaskStatus outcome =
        terminator.started()
            ? TaskStatus.STOPPED
            : code == 0 ? TaskStatus.SUCCEEDED : TaskStatus.FAILED;
    reporter.finish(outcome, code);
    return code;
  }

  private TaskinfoClient.Registration registration() {
    Map<String, String> meta = new LinkedHashMap<>(options.meta());
    meta.put("command", commandLine());
    meta.put("launcher", "vizrelay run");
    return new TaskinfoClient.Registration(
        options.taskId(), options.project(), options.kind(), null, host(), meta, true);
  }

  private String commandLine() {
    String line =
        options.command().stream()
            .map(
                a ->
                    a.isEmpty() || a.chars().anyMatch(c -> " \t\"'\\$`".indexOf(c) >= 0)
                        ? "'" + a.replace("'", "'\\''") + "'"
                        : a)
            .collect(Collectors.joining(" "));
    return line.length() > MAX_COMMAND_CHARS ? line.substring(0, MAX_COMMAND_CHARS) + "…" : line;
  }

  private Map<String, String> childEnv() {
    return Map.of(
        "VIZRELAY_TASK_ID",
        options.taskId(),
        "VIZRELAY_SERVER",
        options.server(),
        "VIZRELAY_BASE_URL",
        "/task/" + options.taskId());
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return System.getenv("HOSTNAME");
    }
  }

  /** {@code --capture-output}: the two pumps and the window they feed. */
  private record Mirror(OutputPump stdout, OutputPump stderr, ConsoleWindow window) {
    static Mirror start(
        GroupProcess child,
        ServerHttp http,
        String taskId,
        Timing timing,
        PrintStream out,
        PrintStream err) {
      ConsoleWindow window = new ConsoleWindow(http, taskId, timing);
      Mirror m =
          new Mirror(
              new OutputPump("stdout", child.stdout(), out, window::add),
              new OutputPump("stderr", child.stderr(), err, window::add),
              window);
      window.start();
      m.stdout.start();
      m.stderr.start();
      return m;
    }

    void close(long deadlineNanos) throws InterruptedException {
      stdout.join();
      stderr.join();
      window.close(deadlineNanos);
    }
  }
}
