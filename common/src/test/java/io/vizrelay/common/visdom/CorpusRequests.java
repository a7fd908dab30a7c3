package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only mapping of a recorded visdom request (path + body) to a {@link VisdomCommand}, the way
 * a visdom server reads it (env defaults to {@code main}, {@code /} in env ids becomes {@code _}).
 * The real HTTP edge decoding lives elsewhere; this only feeds the engine.
 */
final class CorpusRequests {
  private CorpusRequests() {}

  /** A body that is not JSON is a 400 (visdom: 500), as at the real edge. */
  static VisdomCommand fromRaw(String path, String raw) {
    return toCommand(path, Json.parse(raw.getBytes(StandardCharsets.UTF_8)));
  }

  static VisdomCommand toCommand(String path, JsonNode body) {
    if (!body.isObject()) {
      throw new ApiException(ErrorCode.INVALID_EVENT, "body must be a JSON object");
    }
    switch (path) {
      case "/events":
        return new VisdomCommand.CreateWindow(
            eid(body),
            text(body, "win"),
            list(body, "data"),
            object(body, "layout"),
            object(body, "opts"));
      case "/update":
        return new VisdomCommand.UpdateWindow(
            eid(body),
            text(body, "win"),
            list(body, "data"),
            object(body, "layout"),
            object(body, "opts"),
            text(body, "name"),
            body.path("append").asBoolean(false),
            body.path("delete").asBoolean(false),
            text(body, "updateDir"));
      case "/win_exists":
        return new VisdomCommand.WinExists(eid(body), text(body, "win"));
      case "/win_data":
        return body.has("data")
            ? new VisdomCommand.SetWinData(eid(body), text(body, "win"), text(body, "data"))
            : new VisdomCommand.GetWinData(eid(body), text(body, "win"));
      case "/close":
        return new VisdomCommand.CloseWindow(eid(body), text(body, "win"));
      case "/delete_env":
        return new VisdomCommand.DeleteEnv(eid(body));
      case "/env_state":
        return new VisdomCommand.ListEnvs();
      case "/fork_env":
        return new VisdomCommand.ForkEnv(escape(text(body, "prev_eid")), eid(body));
      case "/save":
        return new VisdomCommand.SaveEnvs(envList(body.get("data")));
      default:
        if (path.startsWith("/env/") && body.has("eid")) {
          return new VisdomCommand.CreateEnv(eid(body));
        }
        throw new IllegalArgumentException("no mapping for " + path + " " + body);
    }
  }

  static String eid(JsonNode body) {
    String eid = text(body, "eid");
    return eid == null ? TaskState.MAIN : escape(eid);
  }

  static String escape(String eid) {
    return eid == null ? null : eid.replace('/', '_');
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static ObjectNode object(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v instanceof ObjectNode o ? o : null;
  }

  /** visdom's embeddings update sends {@code data} as one object: passed on as {@code [data]}. */
  private static ArrayNode list(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isArray()) {
      return (ArrayNode) v;
    }
    if (v.isObject()) {
      return Json.NODES.arrayNode().add(v);
    }
    throw new ApiException(ErrorCode.INVALID_EVENT, field + " must be a list");
  }

  private static List<String> envList(JsonNode data) {
    if (data == null || !data.isArray()) {
      return null;
    }
    List<String> eids = new ArrayList<>();
    data.forEach(e -> eids.add(escape(e.asText())));
    return eids;
  }
}
