package io.vizrelay.bench;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A frame vizrelay delivered for the one-point append of marker {@link #PROBE_MARKER}, as a
 * template: the same text with its top-level {@code seq} and every occurrence of the marker (x and
 * y) made slots, so {@link #render} gives the bytes vizrelay would send for update k at any seq.
 *
 * @param literals the text between slots, one more than {@code slots}
 * @param slots what each slot holds, in order
 */
record FrameTemplate(List<String> literals, List<Slot> slots) {
  /** The marker of the captured update: distinctive, and as many digits as a long run's markers. */
  static final long PROBE_MARKER = 98_765;

  enum Slot {
    SEQ,
    MARKER
  }

  private static final Pattern SLOTS =
      Pattern.compile("(\"seq\":)(\\d+)|(?<![\\d.])(" + PROBE_MARKER + ")(?!\\d)");

  /** The template of {@code frame}, which must carry a seq and the probe marker. */
  static FrameTemplate of(String frame) {
    List<String> literals = new ArrayList<>();
    List<Slot> slots = new ArrayList<>();
    Matcher m = SLOTS.matcher(frame);
    int from = 0;
    boolean seqSeen = false;
    while (m.find()) {
      boolean isSeq = m.group(2) != null;
      if (isSeq && seqSeen) {
        continue; // only the first (top-level) seq
      }
      seqSeen |= isSeq;
      int start = isSeq ? m.start(2) : m.start(3);
      literals.add(frame.substring(from, start));
      slots.add(isSeq ? Slot.SEQ : Slot.MARKER);
      from = m.end();
    }
    literals.add(frame.substring(from));
    if (!seqSeen || !slots.contains(Slot.MARKER)) {
      throw new IllegalArgumentException(
          "not a live frame of marker " + PROBE_MARKER + ": " + frame);
    }
    return new FrameTemplate(List.copyOf(literals), List.copyOf(slots));
  }

  /** The UTF-8 bytes of the frame for update {@code marker} at {@code seq}. */
  Buffer render(long seq, long marker) {
    StringBuilder sb = new StringBuilder(literals.get(0));
    for (int i = 0; i < slots.size(); i++) {
      sb.append(slots.get(i) == Slot.SEQ ? seq : marker).append(literals.get(i + 1));
    }
    return Buffer.buffer(sb.toString());
  }
}
