package io.vizrelay.app.launcher;

import java.io.PrintStream;

/** The launcher's own messages, on standard error, each line prefixed {@code vizrelay run:}. */
final class Log {
  private final PrintStream err;

  Log(PrintStream err) {
    this.err = err;
  }

  void info(String message) {
    synchronized (err) {
      err.println("vizrelay run: " + message);
      err.flush();
    }
  }
}
