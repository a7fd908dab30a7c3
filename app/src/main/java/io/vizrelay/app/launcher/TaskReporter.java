package io.vizrelay.app.launcher;

import io.vizrelay.common.model.TaskStatus;

/**
 * Keeps the registry told about the task: registers it before the command starts, again with the
 * command's pid once it runs, heartbeats while it runs, and reports how it ended. While the server
 * is unreachable the command goes on: every call is retried with backoff, and the outcome is
 * reported when the server is back (for at most {@link Timing#reportFor}).
 */
final class TaskReporter {
  private final TaskinfoClient client;
  private final TaskinfoClient.Registration registration;
  private final Timing timing;
  private final Log log;
  private final Outage outage;
  private volatile TaskinfoClient.Registration current;

  /**
   * The registration the server has: null before any; {@code current} once the pid is registered.
   */
  private volatile TaskinfoClient.Registration registered;

  private Thread background;

  TaskReporter(
      TaskinfoClient client, TaskinfoClient.Registration registration, Timing timing, Log log) {
    this.client = client;
    this.registration = registration;
    this.current = registration;
    this.timing = timing;
    this.log = log;
    this.outage = new Outage(log);
  }

  /**
   * Registers the task before anything starts. A refusal (another user's key, a task of another
   * user) is thrown: the launcher then starts nothing; an unreachable server only returns false.
   */
  boolean registerFirst() throws ServerHttp.Refused, InterruptedException {
    try {
      client.register(registration);
      registered = registration;
      return true;
    } catch (ServerHttp.Unavailable e) {
      outage.down(e);
      return false;
    }
  }

  /**
   * The command runs as {@code pid}: on a thread of its own, registers that (retrying), calls
   * {@code onRegistered} once, then heartbeats until {@link #finish}.
   */
  void attach(long pid, Runnable onRegistered) {
    current = registration.withPid(pid);
    background =
        new Thread(
            () -> {
              try {
                if (registerUntilDone()) {
                  onRegistered.run();
                  heartbeats();
                }
              } catch (InterruptedException e) {
                // finish() ends the heartbeats
              }
            },
            "vizrelay-run-heartbeat");
    background.setDaemon(true);
    background.start();
  }

  /**
   * The command ended: stops the heartbeats and reports the outcome, retrying while the server is
   * unreachable. True when the registry has it.
   */
  boolean finish(TaskStatus status, int exitCode) throws InterruptedException {
    if (background != null) {
      background.interrupt();
      background.join();
    }
    long deadline = System.nanoTime() + timing.reportFor().toNanos();
    Backoff backoff = timing.backoff();
    TaskinfoClient.Finish finish = new TaskinfoClient.Finish(status, exitCode);
    while (true) {
      try {
        registerCurrent();
        client.finish(finish);
        outage.up();
        log.info("reported " + status.wire() + " (exit code " + exitCode + ")");
        return true;
      } catch (ServerHttp.Unavailable e) {
        outage.down(e);
      } catch (ServerHttp.Refused e) {
        if (e.status != 404) {
          log.info("the server refused the outcome " + status.wire() + ": " + e.getMessage());
          return false;
        }
        registered = null; // the registry forgot the task: register it again, then finish
      }
      if (System.nanoTime() > deadline) {
        log.info(
            "gave up reporting "
                + status.wire()
                + " after "
                + timing.reportFor().toSeconds()
                + " s");
        return false;
      }
      backoff.pause();
    }
  }

  /** True when the task is registered with the command's pid; false when the server refused it. */
  private boolean registerUntilDone() throws InterruptedException {
    Backoff backoff = timing.backoff();
    while (true) {
      try {
        registerCurrent();
        outage.up();
        return true;
      } catch (ServerHttp.Unavailable e) {
        outage.down(e);
      } catch (ServerHttp.Refused e) {
        log.info(
            "the server refused the registration ("
                + e.getMessage()
                + "); the command goes on unreported");
        return false;
      }
      backoff.pause();
    }
  }

  /** Registers the task with the command's pid unless the server already has that. */
  private void registerCurrent()
      throws ServerHttp.Refused, ServerHttp.Unavailable, InterruptedException {
    TaskinfoClient.Registration wanted = current;
    if (registered != wanted) {
      client.register(wanted);
      registered = wanted;
    }
  }

  private void heartbeats() throws InterruptedException {
    Backoff backoff = timing.backoff();
    while (true) {
      Thread.sleep(timing.heartbeat().toMillis());
      try {
        registerCurrent();
        client.heartbeat();
        outage.up();
        backoff.reset();
      } catch (ServerHttp.Unavailable e) {
        outage.down(e);
        backoff.pause();
      } catch (ServerHttp.Refused e) {
        if (e.status != 404) {
          log.info("heartbeats refused (" + e.getMessage() + "); no more heartbeats");
          return;
        }
        registered = null; // the registry forgot the task: register it again
      }
    }
  }

  /** Says once when the server becomes unreachable and once when it is back. */
  static final class Outage {
    private final Log log;
    private boolean down;

    Outage(Log log) {
      this.log = log;
    }

    synchronized void down(Exception cause) {
      if (!down) {
        down = true;
        log.info(cause.getMessage() + "; the command goes on, retrying");
      }
    }

    synchronized void up() {
      if (down) {
        down = false;
        log.info("the server is back");
      }
    }
  }
}
