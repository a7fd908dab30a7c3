package io.vizrelay.app.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Copies one output stream of the command to the launcher's own, byte for byte as it arrives (so
 * the terminal shows what it would without the launcher), and hands every complete line to {@code
 * lines}. Runs on its own thread until the stream ends.
 */
final class OutputPump {
  /** A longer line is cut here (a line without a newline must not grow without bound). */
  static final int MAX_LINE_BYTES = 16 * 1024;

  private final Thread thread;

  OutputPump(String name, InputStream in, OutputStream out, Consumer<String> lines) {
    this.thread = new Thread(() -> pump(in, out, lines), "vizrelay-run-" + name);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Waits until the stream has ended and every line was handed on. */
  void join() throws InterruptedException {
    thread.join();
  }

  private static void pump(InputStream in, OutputStream out, Consumer<String> lines) {
    byte[] buf = new byte[8192];
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        passThrough(out, buf, n);
        int from = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            line.write(buf, from, i - from);
            emit(line, lines);
            from = i + 1;
          }
        }
        line.write(buf, from, n - from);
        if (line.size() >= MAX_LINE_BYTES) {
          emit(line, lines);
        }
      }
    } catch (IOException e) {
      // the command's end of the pipe closed
    }
    if (line.size() > 0) {
      emit(line, lines);
    }
  }

  private static void passThrough(OutputStream out, byte[] buf, int n) {
    try {
      out.write(buf, 0, n);
      out.flush();
    } catch (IOException e) {
      // our own stdout is gone; the window still gets the lines
    }
  }

  private static void emit(ByteArrayOutputStream line, Consumer<String> lines) {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    lines.accept(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
  }
}
