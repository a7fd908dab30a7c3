package io.vizrelay.common.json;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads a JSON array of numbers as a {@code double[]} (a compact column without making nodes). */
public final class NumberArrays {
  private NumberArrays() {}

  /** The array's elements as doubles, NaN for anything not a number (null, text, objects). */
  public static double[] of(JsonNode array) {
    if (array instanceof CompactArrayNode compact) {
      return compact.column().valuesAsDoubles();
    }
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode n = array.get(i);
      out[i] = n.isNumber() ? n.doubleValue() : Double.NaN;
    }
    return out;
  }

  /** True when every element is a number or null (no text such as a date, no object). */
  public static boolean numericOrNull(JsonNode array) {
    if (array instanceof CompactArrayNode compact && compact.primitive()) {
      return true;
    }
    for (JsonNode n : array) {
      if (!n.isNumber() && !n.isNull()) {
        return false;
      }
    }
    return true;
  }
}
