package io.vizrelay.bench;

import java.util.ArrayList;
import java.util.List;

/** A titled Markdown table with notes, printed to the console and written to BENCHMARKS.md. */
final class Table {
  final String title;
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  Table(String title, String... headers) {
    this.title = title;
    this.headers = List.of(headers);
  }

  Table row(Object... cells) {
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      r.add(String.valueOf(c));
    }
    rows.add(r);
    return this;
  }

  Table note(String note) {
    notes.add(note);
    return this;
  }

  String markdown() {
    int[] w = new int[headers.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.max(3, headers.get(i).length());
      for (List<String> r : rows) {
        w[i] = Math.max(w[i], i < r.size() ? r.get(i).length() : 0);
      }
    }
    StringBuilder sb = new StringBuilder("### ").append(title).append("\n\n");
    line(sb, headers, w);
    sb.append('|');
    for (int width : w) {
      sb.append('-').append("-".repeat(width)).append("-|");
    }
    sb.append('\n');
    rows.forEach(r -> line(sb, r, w));
    if (!notes.isEmpty()) {
      sb.append('\n');
      notes.forEach(n -> sb.append("- ").append(n).append('\n'));
    }
    return sb.append('\n').toString();
  }

  private static void line(StringBuilder sb, List<String> cells, int[] w) {
    sb.append('|');
    for (int i = 0; i < w.length; i++) {
      String c = i < cells.size() ? cells.get(i) : "";
      sb.append(' ').append(c).append(" ".repeat(w[i] - c.length())).append(" |");
    }
    sb.append('\n');
  }

  /** Formats a rate with a thousands separator. */
  static String num(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v >= 100 ? String.format("%,.0f", v) : String.format("%.1f", v);
  }

  /** A median with its spread over repetitions: {@code 12,345 (11,900–12,800)}. */
  static String spread(List<Double> values, double scale) {
    if (values.size() < 2) {
      return num(Stats.median(values) * scale);
    }
    return num(Stats.median(values) * scale)
        + " ("
        + num(Stats.min(values) * scale)
        + "–"
        + num(Stats.max(values) * scale)
        + ")";
  }

  static String pct(double ratio) {
    return Double.isNaN(ratio) ? "n/a" : String.format("%.0f%%", ratio * 100);
  }

  static String mb(long kb) {
    return kb < 0 ? "n/a" : String.format("%.0f MB", kb / 1024.0);
  }

  static String bytes(long b) {
    if (b >= 10 * 1024 * 1024) {
      return String.format("%.1f MB", b / 1048576.0);
    }
    return b >= 10 * 1024 ? String.format("%.1f KB", b / 1024.0) : b + " B";
  }
}
