package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A typed visdom request, decoded once at the HTTP or socket edge ({@link VisdomRequests}). Env ids
 * are already escaped ({@code /} replaced by {@code _}) and default to {@code main}.
 */
public sealed interface VisdomCommand {

  /**
   * {@code POST /events}: create or replace a window. {@code win} may be null (server makes one).
   */
  record CreateWindow(String eid, String win, ArrayNode data, ObjectNode layout, ObjectNode opts)
      implements VisdomCommand {}

  /**
   * {@code POST /update}: append / replace / remove traces, text append, heatmap updateDir, opts.
   */
  record UpdateWindow(
      String eid,
      String win,
      ArrayNode data,
      ObjectNode layout,
      ObjectNode opts,
      String name,
      boolean append,
      boolean delete,
      String updateDir)
      implements VisdomCommand {}

  /** {@code POST /win_exists}. */
  record WinExists(String eid, String win) implements VisdomCommand {}

  /** {@code POST /win_data} without data: one window (win non-null) or the env's whole jsons. */
  record GetWinData(String eid, String win) implements VisdomCommand {}

  /** {@code POST /win_data} with data: a JSON string replacing the env's windows. */
  record SetWinData(String eid, String win, String data) implements VisdomCommand {}

  /** {@code POST /close} and the browser's {@code close}: one window, or all when win is null. */
  record CloseWindow(String eid, String win) implements VisdomCommand {}

  /** {@code POST /delete_env} and the browser's {@code delete_env}. */
  record DeleteEnv(String eid) implements VisdomCommand {}

  /** {@code POST /env_state}. */
  record ListEnvs() implements VisdomCommand {}

  /** {@code POST /fork_env}. */
  record ForkEnv(String prevEid, String eid) implements VisdomCommand {}

  /** {@code POST /save}: the env ids to save (all state is durable anyway; reply lists them). */
  record SaveEnvs(List<String> eids) implements VisdomCommand {}

  /** {@code POST /env/<eid>} from a client: create the env if missing. */
  record CreateEnv(String eid) implements VisdomCommand {}

  /** Browser {@code layout_item_update}: remembers a pane position in the env's reload map. */
  record LayoutItemUpdate(String eid, String win, JsonNode item) implements VisdomCommand {}

  /** Browser {@code save}: copy env prevEid to eid with the given reload map. */
  record SaveEnvAs(String prevEid, String eid, JsonNode reload) implements VisdomCommand {}
}
