package io.vizrelay.common.audit;

import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Writes audit events on the logger {@value #LOGGER}: one line per event with the fields {@code
 * event}, {@code outcome}, {@code user}, {@code task}, {@code source} (the client address) and
 * {@code detail}, both in the message ({@code audit event=stop outcome=success user=alice ...},
 * values with spaces or quotes JSON-quoted, so a line always parses and a user-supplied value
 * cannot start a new line) and as SLF4J key-value pairs (with {@code VIZRELAY_LOG_FORMAT=json} the
 * JSON encoder writes them as fields). A missing value is {@code -}.
 */
public final class AuditLog {
  /** The logger audit events go to (route it to its own appender in logback.xml if wanted). */
  public static final String LOGGER = "vizrelay.audit";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._@:/\\[\\],=+-]+");

  /** What happened. */
  public enum Event {
    SIGN_IN,
    SIGN_OUT,
    STOP,
    SHARE,
    UNSHARE,
    DELETE,
    API_KEY_REVOKE;

    public String label() {
      return name().toLowerCase();
    }
  }

  /** How it ended: done, refused (401/403/429), or failed otherwise. */
  public enum Outcome {
    SUCCESS,
    DENIED,
    FAILURE;

    public String label() {
      return name().toLowerCase();
    }

    /** The outcome of an HTTP answer with {@code status}. */
    public static Outcome ofStatus(int status) {
      if (status < 400) {
        return SUCCESS;
      }
      return status == 401 || status == 403 || status == 429 ? DENIED : FAILURE;
    }
  }

  private AuditLog() {}

  /** Writes one event; null values are written as {@code -}. */
  public static void record(
      Event event, Outcome outcome, String user, String task, String source, String detail) {
    String[][] fields = {
      {"event", event.label()},
      {"outcome", outcome.label()},
      {"user", orDash(user)},
      {"task", orDash(task)},
      {"source", orDash(source)},
      {"detail", orDash(detail)}
    };
    StringBuilder line = new StringBuilder("audit");
    LoggingEventBuilder builder = LOG.atInfo();
    for (String[] f : fields) {
      line.append(' ').append(f[0]).append('=').append(quote(f[1]));
      builder = builder.addKeyValue(f[0], f[1]);
    }
    builder.log(line.toString());
  }

  private static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  /** The value as is when plain, else JSON-quoted (control characters escaped). */
  static String quote(String value) {
    if (PLAIN.matcher(value).matches()) {
      return value;
    }
    StringBuilder sb = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
