package io.vizrelay.common.visdom;

import java.util.List;

/**
 * What a validated plot {@code /update} will do, decided before anything is mutated.
 *
 * @param mode which branch of visdom's update applies
 * @param idxs the targeted trace indices (ascending)
 * @param masked for {@link Mode#TRACES}: per targeted trace, whether its x is all null/NaN
 *     (skipped)
 * @param heatmap for {@link Mode#HEATMAP}: the checked heatmap change
 */
record UpdatePlan(Mode mode, List<Integer> idxs, boolean[] masked, HeatmapUpdater.Plan heatmap) {
  enum Mode {
    /** Neither name nor data: only opts/layout/legend and the version. */
    OPTS_ONLY,
    /** {@code delete: true}: remove the targeted traces. */
    DELETE,
    /** No targeted trace: append {@code data[0]} as a new trace (named when a name is given). */
    ADD_TRACE,
    /** One targeted heatmap trace: updateDir rows/columns/replace. */
    HEATMAP,
    /** Append or replace x/y/marker.color of each targeted trace. */
    TRACES
  }
}
