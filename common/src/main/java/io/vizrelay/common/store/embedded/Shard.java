package io.vizrelay.common.store.embedded;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One of the store's engine threads, and the lock that makes "runs on the shard" mean "holds the
 * shard": every queued operation runs on the thread holding the lock, and a caller may run a short
 * operation in the shard's place ({@link #enterIfIdle}) when nothing is queued, which saves the two
 * thread hops of a queued one. Operations on one shard's tasks are serial either way, and in the
 * order they were handed in: a caller only runs in place when no earlier operation waits.
 */
final class Shard {
  private final ExecutorService thread;
  private final ReentrantLock lock = new ReentrantLock();

  /** Operations handed to the thread and not yet finished. */
  private final AtomicInteger queued = new AtomicInteger();

  Shard(String name) {
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
  }

  /** Queues {@code work} to run on the shard's thread, holding the shard. */
  void execute(Runnable work) {
    queued.incrementAndGet();
    try {
      thread.execute(() -> runHolding(work));
    } catch (RejectedExecutionException e) {
      queued.decrementAndGet();
      throw e;
    }
  }

  private void runHolding(Runnable work) {
    lock.lock();
    try {
      work.run();
    } finally {
      queued.decrementAndGet();
      lock.unlock();
    }
  }

  /**
   * Takes the shard for the calling thread if no operation is queued or running; the caller must
   * then {@link #leave} it. Never waits.
   */
  boolean enterIfIdle() {
    if (queued.get() != 0 || !lock.tryLock()) {
      return false;
    }
    if (queued.get() != 0) {
      lock.unlock();
      return false;
    }
    return true;
  }

  void leave() {
    lock.unlock();
  }

  void shutdown() {
    thread.shutdown();
  }

  boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return thread.awaitTermination(timeout, unit);
  }
}
