package io.vizrelay.socket;

import io.vertx.ext.web.RoutingContext;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.downsample.PointBudget;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.visdom.TaskState;

/**
 * A browser's socket request, validated before the WebSocket upgrade.
 *
 * @param taskId the task to show
 * @param env the env to show; {@code *} streams every env
 * @param since where to resume from, or null for a fresh snapshot
 * @param compact the client wants compact append frames
 * @param maxPoints the point budget per trace of a compact client's view ({@code max_points}), 0
 *     for every point
 * @param autoReplay send the task's state at once ({@code /socket?task_id=}); false for visdom's
 *     own flow ({@code /socket}, {@code /task/<id>/socket}), which waits for {@code POST
 *     /env/<eid>}
 * @param knownOnly refuse the upgrade (404) when the task is unknown ({@code known=1}, sent by the
 *     page); without it a client may subscribe to a task before its job starts
 */
public record SocketRequest(
    String taskId,
    String env,
    Position since,
    boolean compact,
    boolean autoReplay,
    boolean knownOnly,
    int maxPoints) {
  public SocketRequest(
      String taskId, String env, Position since, boolean compact, boolean autoReplay) {
    this(taskId, env, since, compact, autoReplay, false, 0);
  }

  /** A point in a task's stream: {@code <epoch>:<seq>}. */
  public record Position(String epoch, long seq) {
    public static Position parse(String text) {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || colon == text.length() - 1) {
        throw new ApiException(ErrorCode.INVALID_FIELD, "since must be <epoch>:<seq>");
      }
      try {
        long seq = Long.parseLong(text.substring(colon + 1));
        if (seq < 0) {
          throw new NumberFormatException();
        }
        return new Position(text.substring(0, colon), seq);
      } catch (NumberFormatException e) {
        throw new ApiException(
            ErrorCode.INVALID_FIELD, "since must be <epoch>:<seq> with a non-negative seq");
      }
    }
  }

  static SocketRequest from(RoutingContext ctx, VizConfig config) {
    String pathTask = ctx.pathParam("taskId");
    String queryTask = ctx.queryParams().get("task_id");
    String taskId =
        pathTask != null ? pathTask : queryTask != null ? queryTask : config.defaultTask();
    if (!VizConfig.isValidTaskId(taskId)) {
      throw new ApiException(ErrorCode.INVALID_TASK_ID, "task_id is missing or malformed");
    }
    String env = ctx.queryParams().get("env");
    env = env == null || env.isEmpty() ? TaskState.MAIN : env.replace('/', '_');
    if (env.length() > 256 || env.chars().anyMatch(Character::isISOControl)) {
      throw new ApiException(ErrorCode.INVALID_ENV, "env is malformed");
    }
    String since = ctx.queryParams().get("since");
    String format = ctx.queryParams().get("format");
    boolean compact = "compact".equals(format) || "1".equals(ctx.queryParams().get("compact"));
    int maxPoints = PointBudget.parse(ctx.queryParams().get("max_points"), 0);
    if (maxPoints > 0 && !compact) {
      throw new ApiException(ErrorCode.INVALID_FIELD, "max_points needs format=compact");
    }
    return new SocketRequest(
        taskId,
        env,
        since == null || since.isEmpty() ? null : Position.parse(since),
        compact,
        queryTask != null && pathTask == null,
        "1".equals(ctx.queryParams().get("known")),
        maxPoints);
  }
}
