package io.vizrelay.app.launcher;

import java.util.regex.Pattern;

/**
 * Turns one line of a command's output into what the {@code console} text window shows: terminal
 * escapes (colours, cursor moves, titles) removed, only what follows the last carriage return kept
 * (progress bars redraw the line), HTML special characters escaped (a text window renders HTML).
 */
final class ConsoleText {
  /** CSI sequences, OSC sequences (ended by BEL or ESC \), and the other two-character escapes. */
  private static final Pattern ANSI =
      Pattern.compile(
          "\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007\u001B]*(?:\u0007|\u001B\\\\)?|\u001B[@-Z\\\\-_]");

  /** Other control characters but tab. */
  private static final Pattern CONTROL = Pattern.compile("[\u0000-\u0008\u000B-\u001F\u007F]");

  private ConsoleText() {}

  static String clean(String line) {
    String text = ANSI.matcher(line).replaceAll("");
    int cr = text.lastIndexOf('\r', text.length() - 2);
    if (cr >= 0) {
      text = text.substring(cr + 1);
    }
    return CONTROL.matcher(text).replaceAll("");
  }

  static String html(String text) {
    StringBuilder b = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
