package io.vizrelay.common.store.cluster;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hazelcast call as a Vert.x future: completed back on the caller's context; an {@link
 * ApiException} from an entry processor passes through, any other grid failure (a member lost
 * mid-call, the instance shutting down) becomes {@code 503 UNAVAILABLE}, which clients retry.
 */
public final class GridCall {
  private static final Logger LOG = LoggerFactory.getLogger(GridCall.class);

  private GridCall() {}

  /**
   * {@code stage} on the current context; {@code what} names the grid structure in the 503 message.
   */
  public static <T> Future<T> of(CompletionStage<T> stage, String what) {
    Context context = Vertx.currentContext();
    Future<T> future =
        context == null
            ? Future.fromCompletionStage(stage)
            : Future.fromCompletionStage(stage, context);
    return future.recover(error -> Future.failedFuture(translate(error, what)));
  }

  /** The failure a client sees for a grid error. */
  public static Throwable translate(Throwable error, String what) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof ApiException) {
      return cause;
    }
    if (!(cause instanceof HazelcastInstanceNotActiveException)) {
      LOG.warn("grid call failed: {}", cause.toString());
    }
    return new ApiException(ErrorCode.UNAVAILABLE, what + " is unavailable now; retry");
  }
}
