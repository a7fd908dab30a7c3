package io.vizrelay.common.config;

import java.util.Map;

/**
 * Reads typed values from an environment map (the process environment, or a test's map); a missing
 * or blank value takes the default, a malformed one fails naming its variable. The one parser
 * behind every configuration record.
 */
public record EnvVars(Map<String, String> env) {

  public String string(String key, String def) {
    String v = env.get(key);
    return v == null || v.isBlank() ? def : v.trim();
  }

  public int integer(String key, int def, int min, int max) {
    String v = string(key, null);
    if (v == null) {
      return def;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new IllegalArgumentException(
            key + " must be in [" + min + ", " + max + "], was " + v);
      }
      return n;
    } catch (NumberFormatException ex) {
      throw new IllegalArgumentException(key + " must be an integer, was " + v);
    }
  }

  public boolean bool(String key, boolean def) {
    String v = string(key, null);
    if (v == null) {
      return def;
    }
    return switch (v.toLowerCase()) {
      case "1", "true", "yes", "on" -> true;
      case "0", "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException(key + " must be true or false, was " + v);
    };
  }

  public <E extends Enum<E>> E enumValue(String key, Class<E> type, E def) {
    String v = string(key, null);
    if (v == null) {
      return def;
    }
    try {
      return Enum.valueOf(type, v.toUpperCase());
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException(
          key
              + " must be one of "
              + java.util.Arrays.toString(type.getEnumConstants())
              + ", was "
              + v);
    }
  }
}
