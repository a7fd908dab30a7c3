package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * vizrelay's deliberate, documented differences from what visdom 0.2.4 recorded, one scenario and
 * step at a time. Everything not listed here is compared strictly by the generic checks; every
 * other visdom HTTP 500 must be an ApiException (400/404) that leaves the state unchanged.
 */
public final class CorpusDeviations {
  private final String scenario;

  public CorpusDeviations(String scenario) {
    this.scenario = scenario;
  }

  /** Steps where visdom answers 500 but vizrelay answers 200 with this body. */
  public String reply(int step) {
    Map<Integer, String> replies =
        switch (scenario) {
          // An append whose x is all NaN/null: visdom crashes half-way; vizrelay skips the masked
          // trace, applies the rest of the update and replies with the window id (protocol §3.9).
          case "nan_append" -> Map.of(6, "nan", 11, "nan2", 13, "nan2");
          // delete_env of a never-saved env: visdom deletes, then fails removing the missing file.
          // In vizrelay everything is durable: the delete simply succeeds (reply "", env_update).
          case "env_state_delete" -> Map.of(6, "");
          default -> Map.of();
        };
    return replies.get(step);
  }

  /** Steps where vizrelay's observer gets frames although visdom's got nothing (same causes). */
  public boolean extraBroadcast(int step) {
    return switch (scenario) {
      case "nan_append" -> Set.of(6, 11, 13).contains(step);
      case "env_state_delete" -> step == 6;
      default -> false;
    };
  }

  /**
   * Brings the visdom observer's view to the state visdom actually held after the step when it did
   * not broadcast it (its crash left the change unannounced; later messages and the final state
   * confirm it), or when vizrelay deliberately announces more.
   */
  public void adjustVisdom(int step, JsonNode requestBody, ObserverView view) {
    if (scenario.equals("nan_append")) {
      String patch =
          switch (step) {
            // visdom bumped the version before crashing on the null x.
            case 6 -> "[{\"op\":\"replace\",\"path\":\"/version\",\"value\":3}]";
            // visdom copied the opts, bumped the version and appended trace 0 before crashing on
            // trace 1.
            case 11 ->
                "[{\"op\":\"add\",\"path\":\"/markers\",\"value\":false},"
                    + "{\"op\":\"add\",\"path\":\"/fillarea\",\"value\":false},"
                    + "{\"op\":\"add\",\"path\":\"/mode\",\"value\":\"lines\"},"
                    + "{\"op\":\"add\",\"path\":\"/markersymbol\",\"value\":\"dot\"},"
                    + "{\"op\":\"add\",\"path\":\"/markersize\",\"value\":10},"
                    + "{\"op\":\"add\",\"path\":\"/markerborderwidth\",\"value\":0.5},"
                    + "{\"op\":\"replace\",\"path\":\"/version\",\"value\":2},"
                    + "{\"op\":\"add\",\"path\":\"/content/data/0/x/-\",\"value\":2.0},"
                    + "{\"op\":\"add\",\"path\":\"/content/data/0/y/-\",\"value\":3.0}]";
            // visdom bumped the version before crashing on trace 0 (trace 1 was not appended).
            case 13 -> "[{\"op\":\"replace\",\"path\":\"/version\",\"value\":3}]";
            default -> null;
          };
      if (patch != null) {
        String win = step == 6 ? "nan" : "nan2";
        JsonPatch.apply(
            view.windows.get(win), (ArrayNode) Json.parse(patch.getBytes(StandardCharsets.UTF_8)));
      }
    } else if (scenario.equals("env_state_delete") && step == 6) {
      // visdom removed the env but crashed before its env_update (step 7's listing confirms).
      view.envs.remove("scratch");
    } else if (scenario.equals("get_window_data") && step == 8) {
      // set_window_data: visdom only broadcasts env_update; vizrelay also sends the stored window
      // (keyed by the request's win) so browsers and the frame log see it.
      String data = requestBody.path("data").asText();
      view.windows.put(
          requestBody.path("win").asText(),
          (ObjectNode) Json.parse(data.getBytes(StandardCharsets.UTF_8)));
    }
  }

  /**
   * Removes vizrelay's intended difference from a normalised window before comparing it with
   * visdom's: in nan_append, step 13 appends trace 1's point (3.0, 40.0) to nan2, which visdom
   * never did (it crashed on trace 0 first). It is x/y index 2 of trace 1 from then on.
   */
  public JsonNode adjustOurs(int step, JsonNode window) {
    if (!scenario.equals("nan_append") || step < 13 || !"nan2".equals(window.path("id").asText())) {
      return window;
    }
    ObjectNode copy = window.deepCopy();
    ObjectNode trace = (ObjectNode) copy.get("content").get("data").get(1);
    ((ArrayNode) trace.get("x")).remove(2);
    ((ArrayNode) trace.get("y")).remove(2);
    return copy;
  }

  /** {@link #adjustOurs(int, JsonNode)} for every window of a key-to-window object. */
  public ObjectNode adjustOursAll(int step, ObjectNode windows) {
    ObjectNode out = Json.object();
    windows.fields().forEachRemaining(e -> out.set(e.getKey(), adjustOurs(step, e.getValue())));
    return out;
  }
}
