package io.vizrelay.app.launcher;

import java.util.Arrays;

/**
 * {@code java -jar vizrelay.jar run ...}: parses the arguments (usage and exit 64 on a mistake,
 * nothing started), runs the {@link Launcher}, forwards SIGINT/SIGTERM of the launcher to the
 * command, and exits with the command's status.
 */
public final class RunCommand {
  /** Exit status for bad arguments (sysexits EX_USAGE). */
  public static final int EXIT_USAGE = 64;

  private RunCommand() {}

  /** {@code args} without the word {@code run}. */
  public static void main(String[] args) throws InterruptedException {
    RunOptions options;
    try {
      options = RunOptions.parse(Arrays.asList(args), System.getenv());
    } catch (RunOptions.UsageException e) {
      System.err.println("vizrelay run: " + e.getMessage());
      System.err.println(RunOptions.USAGE);
      System.exit(EXIT_USAGE);
      return;
    }
    Launcher launcher = new Launcher(options, Timing.DEFAULT, System.out, System.err);
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> forward(launcher), "vizrelay-run-signal"));
    int status = launcher.run();
    System.exit(status);
  }

  /**
   * Runs at JVM shutdown: after a normal end it has nothing to do; after SIGINT/SIGTERM it ends the
   * command like a stop from the page, waits for the outcome to be reported, and exits with the
   * command's status.
   */
  private static void forward(Launcher launcher) {
    try {
      int status = launcher.stopFromSignal();
      if (status >= 0) {
        Runtime.getRuntime().halt(status);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
