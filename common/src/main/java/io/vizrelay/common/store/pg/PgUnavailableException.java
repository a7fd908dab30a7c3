package io.vizrelay.common.store.pg;

/**
 * PostgreSQL could not take or give what the grid asked (down, unreachable, timed out): thrown on a
 * Hazelcast thread, it fails the grid operation, which the caller answers with 503 and {@code
 * Retry-After}; nothing of the operation is applied.
 */
public final class PgUnavailableException extends RuntimeException {
  public PgUnavailableException(String what, Throwable cause) {
    super("PostgreSQL " + what + " failed: " + brief(cause), cause);
  }

  /** The cause without the statement text (a batch's message repeats every parameter). */
  private static String brief(Throwable cause) {
    String m = String.valueOf(cause.getMessage());
    int fatal = m.indexOf("FATAL:");
    String text = fatal >= 0 ? m.substring(fatal) : m;
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  public PgUnavailableException(String message) {
    super(message);
  }
}
