package io.vizrelay.common.store.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.visdom.VisdomCommand;
import java.util.ArrayList;
import java.util.List;

/**
 * A compact, lossless JSON form of a {@link VisdomCommand} for the trip to the task's partition
 * owner: {@code {"t":"<kind>", ...fields}}; absent fields are null, a JSON {@code null} value is
 * kept as such ({@code "item": null} differs from a missing item).
 */
public final class CommandCodec {
  private CommandCodec() {}

  public static byte[] encode(VisdomCommand cmd) {
    ObjectNode o = WireJson.MAPPER.createObjectNode();
    if (cmd instanceof VisdomCommand.CreateWindow c) {
      o.put("t", "create");
      str(o, "eid", c.eid());
      str(o, "win", c.win());
      node(o, "data", c.data());
      node(o, "layout", c.layout());
      node(o, "opts", c.opts());
    } else if (cmd instanceof VisdomCommand.UpdateWindow u) {
      o.put("t", "update");
      str(o, "eid", u.eid());
      str(o, "win", u.win());
      node(o, "data", u.data());
      node(o, "layout", u.layout());
      node(o, "opts", u.opts());
      str(o, "name", u.name());
      o.put("append", u.append()).put("delete", u.delete());
      str(o, "updateDir", u.updateDir());
    } else if (cmd instanceof VisdomCommand.WinExists w) {
      str(str(o.put("t", "exists"), "eid", w.eid()), "win", w.win());
    } else if (cmd instanceof VisdomCommand.GetWinData g) {
      str(str(o.put("t", "getdata"), "eid", g.eid()), "win", g.win());
    } else if (cmd instanceof VisdomCommand.SetWinData s) {
      str(str(str(o.put("t", "setdata"), "eid", s.eid()), "win", s.win()), "data", s.data());
    } else if (cmd instanceof VisdomCommand.CloseWindow c) {
      str(str(o.put("t", "close"), "eid", c.eid()), "win", c.win());
    } else if (cmd instanceof VisdomCommand.DeleteEnv d) {
      str(o.put("t", "delenv"), "eid", d.eid());
    } else if (cmd instanceof VisdomCommand.ListEnvs) {
      o.put("t", "listenvs");
    } else if (cmd instanceof VisdomCommand.ForkEnv f) {
      str(str(o.put("t", "fork"), "prev", f.prevEid()), "eid", f.eid());
    } else if (cmd instanceof VisdomCommand.SaveEnvs s) {
      o.put("t", "save");
      if (s.eids() != null) {
        ArrayNode a = o.putArray("eids");
        s.eids().forEach(a::add);
      }
    } else if (cmd instanceof VisdomCommand.CreateEnv c) {
      str(o.put("t", "mkenv"), "eid", c.eid());
    } else if (cmd instanceof VisdomCommand.LayoutItemUpdate l) {
      str(str(o.put("t", "layout"), "eid", l.eid()), "win", l.win());
      any(o, "item", l.item());
    } else if (cmd instanceof VisdomCommand.SaveEnvAs s) {
      str(str(o.put("t", "saveas"), "prev", s.prevEid()), "eid", s.eid());
      any(o, "reload", s.reload());
    } else {
      throw new IllegalArgumentException("unknown command " + cmd);
    }
    return WireJson.bytes(o);
  }

  public static VisdomCommand decode(byte[] bytes) {
    JsonNode o = WireJson.parse(bytes);
    return switch (o.path("t").asText()) {
      case "create" ->
          new VisdomCommand.CreateWindow(
              s(o, "eid"),
              s(o, "win"),
              (ArrayNode) n(o, "data"),
              (ObjectNode) n(o, "layout"),
              (ObjectNode) n(o, "opts"));
      case "update" ->
          new VisdomCommand.UpdateWindow(
              s(o, "eid"),
              s(o, "win"),
              (ArrayNode) n(o, "data"),
              (ObjectNode) n(o, "layout"),
              (ObjectNode) n(o, "opts"),
              s(o, "name"),
              o.path("append").asBoolean(),
              o.path("delete").asBoolean(),
              s(o, "updateDir"));
      case "exists" -> new VisdomCommand.WinExists(s(o, "eid"), s(o, "win"));
      case "getdata" -> new VisdomCommand.GetWinData(s(o, "eid"), s(o, "win"));
      case "setdata" -> new VisdomCommand.SetWinData(s(o, "eid"), s(o, "win"), s(o, "data"));
      case "close" -> new VisdomCommand.CloseWindow(s(o, "eid"), s(o, "win"));
      case "delenv" -> new VisdomCommand.DeleteEnv(s(o, "eid"));
      case "listenvs" -> new VisdomCommand.ListEnvs();
      case "fork" -> new VisdomCommand.ForkEnv(s(o, "prev"), s(o, "eid"));
      case "save" -> {
        List<String> eids = null;
        if (o.has("eids")) {
          eids = new ArrayList<>();
          for (JsonNode e : o.get("eids")) {
            eids.add(e.isNull() ? null : e.asText());
          }
        }
        yield new VisdomCommand.SaveEnvs(eids);
      }
      case "mkenv" -> new VisdomCommand.CreateEnv(s(o, "eid"));
      case "layout" -> new VisdomCommand.LayoutItemUpdate(s(o, "eid"), s(o, "win"), a(o, "item"));
      case "saveas" -> new VisdomCommand.SaveEnvAs(s(o, "prev"), s(o, "eid"), a(o, "reload"));
      default -> throw new IllegalArgumentException("unknown command kind " + o.path("t"));
    };
  }

  private static ObjectNode str(ObjectNode o, String key, String value) {
    if (value != null) {
      o.put(key, value);
    }
    return o;
  }

  private static void node(ObjectNode o, String key, JsonNode value) {
    if (value != null) {
      o.set(key, value);
    }
  }

  /** A JsonNode field where Java null and JSON null differ: Java null is written as absent. */
  private static void any(ObjectNode o, String key, JsonNode value) {
    if (value != null) {
      o.set(key, value);
    }
  }

  private static String s(JsonNode o, String key) {
    JsonNode v = o.get(key);
    return v == null ? null : v.asText();
  }

  private static JsonNode n(JsonNode o, String key) {
    JsonNode v = o.get(key);
    return v == null || v.isNull() ? null : v;
  }

  private static JsonNode a(JsonNode o, String key) {
    return o.get(key);
  }
}
