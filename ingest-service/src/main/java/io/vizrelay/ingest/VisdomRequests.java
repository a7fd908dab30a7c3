package io.vizrelay.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.visdom.TaskState;
import io.vizrelay.common.visdom.VisdomCommand;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a visdom client's request body into a typed {@link VisdomCommand}: the one place raw
 * ingest JSON is read. Malformed shapes become 400 {@code INVALID_EVENT} before anything changes.
 */
public final class VisdomRequests {
  private VisdomRequests() {}

  /** Decodes the body of {@code POST /<endpoint>} ({@code endpoint} without the leading slash). */
  public static VisdomCommand decode(String endpoint, JsonNode body) {
    ObjectNode b = requireObject(body);
    return switch (endpoint) {
      case "events" ->
          new VisdomCommand.CreateWindow(
              eid(b),
              optText(b, "win"),
              array(b, "data"),
              optObject(b, "layout"),
              optObject(b, "opts"));
      case "update" ->
          new VisdomCommand.UpdateWindow(
              eid(b),
              optText(b, "win"),
              arrayOrObject(b, "data"),
              optObject(b, "layout"),
              optObject(b, "opts"),
              optText(b, "name"),
              bool(b, "append"),
              bool(b, "delete"),
              optText(b, "updateDir"));
      case "win_exists" -> new VisdomCommand.WinExists(eid(b), optText(b, "win"));
      case "win_data" -> winData(b);
      case "close" -> new VisdomCommand.CloseWindow(eid(b), optText(b, "win"));
      case "delete_env" -> new VisdomCommand.DeleteEnv(eid(b));
      case "env_state" -> new VisdomCommand.ListEnvs();
      case "fork_env" -> new VisdomCommand.ForkEnv(escape(requiredText(b, "prev_eid")), eid(b));
      case "save" -> new VisdomCommand.SaveEnvs(textList(b, "data"));
      default -> throw new ApiException(ErrorCode.NOT_FOUND, "no visdom endpoint /" + endpoint);
    };
  }

  /** {@code POST /env/<eid>} from a Python client: create the env. */
  public static VisdomCommand createEnv(String pathEid) {
    return new VisdomCommand.CreateEnv(escape(pathEid));
  }

  /** visdom's {@code escape_eid}: every {@code /} becomes {@code _}; missing means {@code main}. */
  public static String escape(String eid) {
    return eid == null || eid.isEmpty() ? TaskState.MAIN : eid.replace('/', '_');
  }

  private static VisdomCommand winData(ObjectNode b) {
    JsonNode data = b.get("data");
    if (data == null || data.isNull()) {
      return new VisdomCommand.GetWinData(eid(b), optText(b, "win"));
    }
    String text = data.isTextual() ? data.asText() : data.toString();
    return new VisdomCommand.SetWinData(eid(b), optText(b, "win"), text);
  }

  static ObjectNode requireObject(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new ApiException(ErrorCode.INVALID_EVENT, "request body must be a JSON object");
    }
    return (ObjectNode) body;
  }

  private static String eid(ObjectNode b) {
    return escape(optText(b, "eid"));
  }

  private static String optText(ObjectNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw new ApiException(ErrorCode.INVALID_FIELD, "'" + field + "' must be a string");
    }
    return v.asText();
  }

  private static String requiredText(ObjectNode b, String field) {
    String v = optText(b, field);
    if (v == null) {
      throw new ApiException(ErrorCode.INVALID_FIELD, "'" + field + "' is required");
    }
    return v;
  }

  private static boolean bool(ObjectNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new ApiException(ErrorCode.INVALID_FIELD, "'" + field + "' must be true or false");
    }
    return v.booleanValue();
  }

  private static ArrayNode array(ObjectNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw new ApiException(ErrorCode.INVALID_EVENT, "'" + field + "' must be a list");
    }
    return (ArrayNode) v;
  }

  /** embeddings updates send {@code data} as one object: it becomes a one-element list. */
  private static ArrayNode arrayOrObject(ObjectNode b, String field) {
    JsonNode v = b.get(field);
    if (v != null && v.isObject()) {
      ArrayNode wrapped = b.arrayNode();
      wrapped.add(v);
      return wrapped;
    }
    return array(b, field);
  }

  private static ObjectNode optObject(ObjectNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw new ApiException(ErrorCode.INVALID_EVENT, "'" + field + "' must be an object");
    }
    return (ObjectNode) v;
  }

  private static List<String> textList(ObjectNode b, String field) {
    JsonNode v = b.get(field);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw new ApiException(ErrorCode.INVALID_EVENT, "'" + field + "' must be a list of env ids");
    }
    v.forEach(n -> out.add(escape(n.asText())));
    return out;
  }
}
