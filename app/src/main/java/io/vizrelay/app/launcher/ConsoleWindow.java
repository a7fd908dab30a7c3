package io.vizrelay.app.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The task's text window {@value #WINDOW}: the command's output lines, sent in batches (one request
 * per {@link Timing#consoleBatch} at most) on a thread of its own, so the command never waits for
 * the server. The window shows at most {@value #MAX_LINES} lines: an append that would go beyond
 * rewrites the window with the newest {@value #TRIM_TO} (so a rewrite costs one request per {@code
 * MAX_LINES - TRIM_TO} lines, not one per batch). While the server is unreachable the newest
 * {@value #MAX_LINES} lines wait, and are sent when it is back.
 */
final class ConsoleWindow {
  static final String WINDOW = "console";
  static final String ENV = "main";
  static final int MAX_LINES = 5000;
  static final int TRIM_TO = 4000;

  /**
   * A longer line is cut here in the window (5,000 such lines stay well under the ingest body
   * limit).
   */
  static final int MAX_LINE_CHARS = 2000;

  private final ServerHttp http;
  private final String taskId;
  private final Timing timing;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  /**
   * The newest lines, cleaned and escaped, at most MAX_LINES; line number {@code total - 1} is the
   * last.
   */
  private final ArrayDeque<String> newest = new ArrayDeque<>();

  /** Lines seen so far (the next line's number). */
  private long total;

  /**
   * The window holds lines {@code [windowStart, windowEnd)}; it does not exist while windowStart is
   * -1.
   */
  private long windowStart = -1;

  private long windowEnd;
  private boolean closing;
  private final Thread thread;

  ConsoleWindow(ServerHttp http, String taskId, Timing timing) {
    this.http = http;
    this.taskId = taskId;
    this.timing = timing;
    this.thread = new Thread(this::sendLoop, "vizrelay-run-console");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** A raw output line of the command (called by the output pumps). */
  void add(String rawLine) {
    String clean = ConsoleText.clean(rawLine);
    String line =
        ConsoleText.html(
            clean.length() > MAX_LINE_CHARS ? clean.substring(0, MAX_LINE_CHARS) + "…" : clean);
    lock.lock();
    try {
      newest.addLast(line);
      total++;
      if (newest.size() > MAX_LINES) {
        newest.removeFirst();
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Sends what is left (retrying until {@code deadlineNanos}), then ends the sender. */
  void close(long deadlineNanos) throws InterruptedException {
    lock.lock();
    try {
      closing = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
    thread.interrupt();
  }

  private void sendLoop() {
    Backoff backoff = timing.backoff();
    try {
      while (true) {
        Batch batch = nextBatch();
        if (batch == null) {
          return;
        }
        try {
          http.post(batch.rewrite ? "/events" : "/update", batch.body(taskId));
          sent(batch);
          backoff.reset();
        } catch (ServerHttp.Unavailable e) {
          backoff.pause();
        } catch (ServerHttp.Refused e) {
          sent(batch); // the server will not take these lines; do not send them forever
        }
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  /** Waits for lines, lets a batch gather, then takes it; null when closing with nothing left. */
  private Batch nextBatch() throws InterruptedException {
    lock.lock();
    try {
      while (total == windowEnd) {
        if (closing) {
          return null;
        }
        changed.await();
      }
      long gather = timing.consoleBatch().toNanos();
      while (!closing && gather > 0) {
        gather = changed.awaitNanos(gather);
      }
      return takeBatch();
    } finally {
      lock.unlock();
    }
  }

  /**
   * An append of the lines the window lacks; or a rewrite when the window does not exist yet, would
   * grow beyond MAX_LINES, or lacks lines no longer held (dropped while the server was away).
   */
  private Batch takeBatch() {
    long firstHeld = total - newest.size();
    boolean rewrite = windowStart < 0 || firstHeld > windowEnd || total - windowStart > MAX_LINES;
    long from =
        !rewrite
            ? windowEnd
            : windowStart < 0
                ? firstHeld
                : Math.max(firstHeld, Math.min(windowEnd, total - TRIM_TO));
    List<String> lines = new ArrayList<>((int) (total - from));
    Iterator<String> it = newest.iterator();
    for (long n = firstHeld; it.hasNext(); n++) {
      String line = it.next();
      if (n >= from) {
        lines.add(line);
      }
    }
    return new Batch(rewrite, lines, from, total);
  }

  private void sent(Batch batch) {
    lock.lock();
    try {
      if (batch.rewrite) {
        windowStart = batch.from;
      }
      windowEnd = batch.to;
    } finally {
      lock.unlock();
    }
  }

  /** One request: a rewrite of the whole window or an append, of lines {@code [from, to)}. */
  private record Batch(boolean rewrite, List<String> lines, long from, long to) {
    ObjectNode body(String taskId) {
      ObjectNode body = Json.object().put("task_id", taskId).put("eid", ENV).put("win", WINDOW);
      body.putArray("data")
          .addObject()
          .put("content", String.join("<br>", lines))
          .put("type", "text");
      body.putObject("opts").put("title", WINDOW);
      if (!rewrite) {
        body.put("append", true);
      }
      return body;
    }
  }
}
