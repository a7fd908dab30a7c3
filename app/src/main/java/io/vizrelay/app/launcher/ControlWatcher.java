package io.vizrelay.app.launcher;

import java.util.function.Consumer;

/**
 * Waits for a stop request on the task's control endpoint: one long-poll parked on the server at a
 * time (no busy polling), retried with backoff while the server is unreachable. A stop calls {@code
 * onStop}; a run that is over (finished elsewhere) or a refusal ends the watch.
 */
final class ControlWatcher {
  private final TaskinfoClient client;
  private final Timing timing;
  private final Consumer<String> onStop;
  private final Log log;
  private Thread thread;

  ControlWatcher(TaskinfoClient client, Timing timing, Consumer<String> onStop, Log log) {
    this.client = client;
    this.timing = timing;
    this.onStop = onStop;
    this.log = log;
  }

  synchronized void start() {
    thread = new Thread(this::watch, "vizrelay-run-control");
    thread.setDaemon(true);
    thread.start();
  }

  synchronized void close() {
    if (thread != null) {
      thread.interrupt();
    }
  }

  private void watch() {
    Backoff backoff = timing.backoff();
    try {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          TaskinfoClient.Control control = client.control(timing.controlPoll());
          backoff.reset();
          if (control.stop()) {
            onStop.accept("stop requested on the page");
            return;
          }
          if (control.status().finished()) {
            return;
          }
        } catch (ServerHttp.Unavailable e) {
          backoff.pause();
        } catch (ServerHttp.Refused e) {
          if (e.status != 404) {
            log.info(
                "control refused ("
                    + e.getMessage()
                    + "); Stop on the page cannot reach this command");
            return;
          }
          backoff.pause(); // the registry forgot the task; the heartbeats register it again
        }
      }
    } catch (InterruptedException e) {
      // closed
    }
  }
}
