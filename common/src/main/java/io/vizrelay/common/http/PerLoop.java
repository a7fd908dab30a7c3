package io.vizrelay.common.http;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One instance of {@code T} per event loop, for state confined to a loop (a socket hub, a handler
 * with an unsynchronized cache): {@link #current} is the calling loop's, made on its first use
 * there; {@link #each} runs an action on every instance, on its own loop. Keyed by the loop's
 * thread (an event loop is one thread), so requests on duplicated contexts of one loop share it.
 */
public final class PerLoop<T> {
  private record Loop<T>(Context context, T value) {}

  private final Function<Context, T> factory;
  private final Map<Thread, Loop<T>> loops = new ConcurrentHashMap<>();

  /** {@code factory} runs on the loop the instance is for, with that loop's context. */
  public PerLoop(Function<Context, T> factory) {
    this.factory = factory;
  }

  /** A handler that hands each request to the instance of its loop. */
  public static Handler<RoutingContext> handler(Supplier<Handler<RoutingContext>> factory) {
    PerLoop<Handler<RoutingContext>> handlers = new PerLoop<>(c -> factory.get());
    return ctx -> handlers.current().handle(ctx);
  }

  /** The calling event loop's instance; made now on its first use. */
  public T current() {
    Thread thread = Thread.currentThread();
    Loop<T> loop = loops.get(thread);
    if (loop == null) {
      loop = create(thread);
    }
    return loop.value();
  }

  private Loop<T> create(Thread thread) {
    Context context = Context.isOnEventLoopThread() ? Vertx.currentContext() : null;
    if (context == null) {
      throw new IllegalStateException("PerLoop.current() called off an event loop: " + thread);
    }
    Context root = ((ContextInternal) context).unwrap();
    Loop<T> loop = new Loop<>(root, factory.apply(root));
    loops.put(thread, loop);
    return loop;
  }

  /** Runs {@code action} on every instance made so far, each on its loop; done when all ran. */
  public Future<Void> each(Consumer<T> action) {
    return Future.all(
            map(
                t -> {
                  action.accept(t);
                  return null;
                }))
        .mapEmpty();
  }

  /** {@code fn} of every instance made so far, each computed on its loop. */
  public <R> Future<List<R>> collect(Function<T, R> fn) {
    List<Future<R>> parts = map(fn);
    return Future.all(parts).map(all -> parts.stream().map(Future::result).toList());
  }

  private <R> List<Future<R>> map(Function<T, R> fn) {
    List<Future<R>> parts = new ArrayList<>();
    for (Loop<T> loop : loops.values()) {
      Promise<R> part = Promise.promise();
      loop.context()
          .runOnContext(
              v -> {
                try {
                  part.complete(fn.apply(loop.value()));
                } catch (RuntimeException e) {
                  part.fail(e);
                }
              });
      parts.add(part.future());
    }
    return parts;
  }

  /** Instances made so far (one per loop that used {@link #current}). */
  public int size() {
    return loops.size();
  }
}
