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
 * rewrites the window with the newest {@value #TRIM_TO} (so a rewrite costs one request per
 * {@code MAX_LINES - TRIM_TO} lines, not one per batch). While the server is unreachable the newest
 * {@value #MAX_LINES} lines wait, and are sent when it is back.
 */
final class ConsoleWindow {
  static final String WINDOW = "console";
  static final String ENV = "main";
  static final int MAX_LINES = 5000;
  static final int TRIM_TO = 4000;

  private final ServerHttp http;
  private final String taskId;
  private final Timing timing;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** The newest lines, cleaned and escaped, at most MAX_LINES. */
  private final ArrayDeque<String> newest = new ArrayDeque<>();
  /** How many of the newest lines the window does not have yet. */
  private int unsent;
  /** Lines the window holds; -1 before it exists. */
  private int shown = -1;
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
    String line = ConsoleText.html(ConsoleText.clean(rawLine));
    lock.lock();
    try {
      newest.addLast(line);
      if (newest.size() > MAX_LINES) {
        newest.removeFirst();
      }
      unsent = Math.min(unsent + 1, newest.size());
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
      while (unsent == 0) {
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

  private Batch takeBatch() {
    boolean rewrite = shown < 0 || shown + unsent > MAX_LINES;
    int count = rewrite ? Math.max(unsent, Math.min(newest.size(), shown < 0 ? MAX_LINES : TRIM_TO)) : unsent;
    List<String> lines = new ArrayList<>(count);
    Iterator<String> it = newest.descendingIterator();
    for (int i = 0; i < count && it.hasNext(); i++) {
      lines.add(it.next());
    }
    java.util.Collections.reverse(lines);
    return new Batch(rewrite, lines, unsent);
  }

  private void sent(Batch batch) {
    lock.lock();
    try {
      shown = batch.rewrite ? batch.lines.size() : shown + batch.lines.size();
      unsent = Math.max(0, unsent - batch.covers);
    } finally {
      lock.unlock();
    }
  }

  /** One request: a rewrite of the whole window or an append; {@code covers} unsent lines. */
  private record Batch(boolean rewrite, List<String> lines, int covers) {
    ObjectNode body(String taskId) {
      ObjectNode body = Json.object().put("task_id", taskId).put("eid", ENV).put("win", WINDOW);
      body.putArray("data").addObject().put("content", String.join("<br>", lines)).put("type", "text");
      body.putObject("opts").put("title", WINDOW);
      if (!rewrite) {
        body.put("append", true);
      }
      return body;
    }
  }
}
