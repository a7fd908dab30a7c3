package io.vizrelay.app.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command, started through {@code setsid} so that it leads a process group of its own (Java's
 * ProcessBuilder cannot do that): a signal to the group reaches the command and everything it
 * started, and never the launcher. {@code setsid} execs the command in place, so the child's pid is
 * the command's pid and its process group id.
 */
final class GroupProcess {
  private final Process process;

  private GroupProcess(Process process) {
    this.process = process;
  }

  /**
   * Starts {@code command} with {@code env} added to the launcher's environment; stdin is passed
   * through, stdout and stderr too unless {@code capture} (then read them from {@link #stdout()}
   * and {@link #stderr()}).
   */
  static GroupProcess start(List<String> command, Map<String, String> env, boolean capture)
      throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add("setsid");
    argv.addAll(command);
    ProcessBuilder builder =
        new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.INHERIT);
    if (capture) {
      builder
          .redirectOutput(ProcessBuilder.Redirect.PIPE)
          .redirectError(ProcessBuilder.Redirect.PIPE);
    } else {
      builder
          .redirectOutput(ProcessBuilder.Redirect.INHERIT)
          .redirectError(ProcessBuilder.Redirect.INHERIT);
    }
    builder.environment().putAll(env);
    return new GroupProcess(builder.start());
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  InputStream stdout() {
    return process.getInputStream();
  }

  InputStream stderr() {
    return process.getErrorStream();
  }

  /** Waits for the command to end; its exit code, or 128 + the signal that killed it. */
  int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  /** Waits at most {@code millis}; true when the command has ended. */
  boolean waitFor(long millis) throws InterruptedException {
    return process.waitFor(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Sends {@code signal} (TERM, KILL) to the command's whole process group. */
  void signalGroup(String signal) throws InterruptedException {
    try {
      Process kill =
          new ProcessBuilder("kill", "-s", signal, "--", "-" + process.pid())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      kill.waitFor();
    } catch (IOException e) {
      process.destroyForcibly(); // no kill(1): at least the command itself
    }
  }
}
