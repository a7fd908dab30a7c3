package io.vizrelay.socket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.Applied;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.visdom.VisdomCommand;
import io.vizrelay.socket.SocketRequest.Position;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a browser may send on its socket (docs/PROTOCOL.md "Browser → server"), always acting on the
 * session's own task: {@code close}, {@code delete_env}, {@code save}, {@code layout_item_update}
 * change the task's state (and every browser of the task sees it); {@code forward_to_vis} goes to
 * the task's Python clients; {@code resume} (vizrelay) re-syncs the session from {@code since}. A
 * read-only session (a user the task is shared with) may only {@code resume}: every other command
 * is ignored.
 */
final class BrowserCommands {
  private static final Logger LOG = LoggerFactory.getLogger(BrowserCommands.class);

  /** What a read-only session may send; everything else changes the task or reaches its job. */
  static final java.util.Set<String> READ_ONLY_COMMANDS = java.util.Set.of("resume");

  private final TaskStore store;
  private final EventBus bus;

  BrowserCommands(TaskStore store, EventBus bus) {
    this.store = store;
    this.bus = bus;
  }

  void handle(Session session, String text) {
    JsonNode msg;
    try {
      msg = Json.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      LOG.debug(
          "ignored malformed browser message: task_id={} sid={}", session.taskId, session.sid);
      return;
    }
    String cmd = msg.path("cmd").asText("");
    if (session.readonly && !READ_ONLY_COMMANDS.contains(cmd)) {
      LOG.info(
          "refused browser command of a read-only session: task_id={} sid={} user_id={} cmd={}",
          session.taskId,
          session.sid,
          session.userId,
          (cmd.length() > 64 ? cmd.substring(0, 64) : cmd).replaceAll("\\p{Cntrl}", "?"));
      return;
    }
    String eid = msg.hasNonNull("eid") ? msg.get("eid").asText().replace('/', '_') : session.env();
    switch (cmd) {
      case "close" -> closeWindow(session, eid, msg.path("data").asText(null));
      case "delete_env" -> apply(session, new VisdomCommand.DeleteEnv(eid));
      case "save" ->
          apply(
              session,
              new VisdomCommand.SaveEnvAs(
                  msg.path("prev_eid").asText(session.env()).replace('/', '_'),
                  eid,
                  msg.get("data")));
      case "layout_item_update" ->
          apply(
              session,
              new VisdomCommand.LayoutItemUpdate(
                  eid, msg.path("win").asText(null), msg.get("data")));
      case "forward_to_vis" -> forward(session, msg.path("data"));
      case "resume" -> resume(session, msg.path("since").asText(""));
      default -> LOG.debug("ignored browser command: task_id={} cmd={}", session.taskId, cmd);
    }
  }

  private void closeWindow(Session session, String eid, String win) {
    if (win == null) {
      return;
    }
    paneData(session.taskId, eid, win)
        .onComplete(
            pane -> {
              ObjectNode event =
                  Json.object().put("event_type", "close").put("target", win).put("eid", eid);
              event.set("pane_data", pane.succeeded() ? pane.result() : null);
              toPython(session.taskId, event);
              apply(session, new VisdomCommand.CloseWindow(eid, win));
            });
  }

  private void forward(Session session, JsonNode data) {
    if (!data.isObject()) {
      return;
    }
    ObjectNode event = ((ObjectNode) data).deepCopy();
    String eid = event.path("eid").asText(session.env());
    String target = event.path("target").asText(null);
    if (event.path("pane_data").isBoolean() && !event.path("pane_data").booleanValue()
        || target == null) {
      toPython(session.taskId, event);
      return;
    }
    paneData(session.taskId, eid, target)
        .onComplete(
            pane -> {
              event.set("pane_data", pane.succeeded() ? pane.result() : null);
              toPython(session.taskId, event);
            });
  }

  /** A browser-asked re-sync: rate-limited and one at a time ({@link Session#requestResync}). */
  private void resume(Session session, String since) {
    Position position;
    try {
      position = Position.parse(since);
    } catch (RuntimeException e) {
      position = null;
    }
    if (!session.requestResync(position, "resume")) {
      LOG.info("ignored resume beyond the rate: task_id={} sid={}", session.taskId, session.sid);
    }
  }

  private Future<JsonNode> paneData(String taskId, String eid, String win) {
    return store
        .apply(taskId, new VisdomCommand.GetWinData(eid, win))
        .map(
            applied ->
                Json.parseTrusted(
                    applied.reply().body().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private void toPython(String taskId, ObjectNode event) {
    bus.publish(Addresses.visSocket(taskId), Buffer.buffer(Json.bytes(event)));
  }

  private void apply(Session session, VisdomCommand command) {
    store
        .apply(session.taskId, command)
        .onSuccess(this::publish)
        .onFailure(
            err ->
                LOG.info(
                    "browser command rejected: task_id={} sid={} error={}",
                    session.taskId,
                    session.sid,
                    err.getMessage()));
  }

  private void publish(Applied applied) {
    for (Delta delta : applied.deltas()) {
      bus.publish(Addresses.task(delta.taskId()), delta);
    }
  }
}
