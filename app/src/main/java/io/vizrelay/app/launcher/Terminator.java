package io.vizrelay.app.launcher;

/**
 * Ends the command once asked (a stop from the page, or a signal to the launcher): SIGTERM to its
 * process group, SIGKILL to the group if it is still alive after the grace period. Runs on its own
 * thread; asking again does nothing.
 */
final class Terminator {
  private final GroupProcess child;
  private final long graceMs;
  private final Log log;
  private boolean started;

  Terminator(GroupProcess child, int graceSeconds, Log log) {
    this.child = child;
    this.graceMs = graceSeconds * 1000L;
    this.log = log;
  }

  /**
   * Starts ending the command, saying {@code why}; false when it had already ended or was being
   * ended.
   */
  synchronized boolean start(String why) {
    if (started || !child.isAlive()) {
      return false;
    }
    started = true;
    log.info(why + ": sending SIGTERM to process group " + child.pid());
    Thread t = new Thread(this::terminate, "vizrelay-run-terminate");
    t.setDaemon(true);
    t.start();
    return true;
  }

  /** True when the command was told to end while it was still running. */
  synchronized boolean started() {
    return started;
  }

  private void terminate() {
    try {
      child.signalGroup("TERM");
      if (!child.waitFor(graceMs)) {
        log.info(
            "still running "
                + graceMs / 1000
                + " s after SIGTERM: sending SIGKILL to process group "
                + child.pid());
        child.signalGroup("KILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
