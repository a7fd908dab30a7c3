package io.vizrelay.common.audit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures the audit logger's events in a test (its level set to INFO meanwhile). */
public final class AuditCapture implements AutoCloseable {
  private final Logger logger = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER);
  private final Level before = logger.getLevel();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public AuditCapture() {
    appender.start();
    logger.setLevel(Level.INFO);
    logger.addAppender(appender);
  }

  /** The events so far (a copy). */
  public List<ILoggingEvent> events() {
    synchronized (appender.list) {
      return List.copyOf(appender.list);
    }
  }

  /** The formatted lines so far. */
  public List<String> lines() {
    return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** Waits (10 s at most) until a line contains every one of {@code parts}; that line. */
  public String await(String... parts) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      for (String line : lines()) {
        if (java.util.Arrays.stream(parts).allMatch(line::contains)) {
          return line;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no audit line with " + List.of(parts) + " in " + lines());
      }
      Thread.sleep(10);
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(before);
  }
}
