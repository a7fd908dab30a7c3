package io.vizrelay.common.visdom;

import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;

/**
 * visdom 0.2.4's window-state semantics as a pure, synchronous function of (state, command): {@link
 * #apply} mutates the task state and returns the reply plus the frames for browsers.
 *
 * <ul>
 *   <li>Where visdom fails a client mistake with an HTTP 500, this throws an {@link ApiException}
 *       (400/404 class) <em>before</em> changing anything: a rejected command changes nothing.
 *   <li>{@code /update} is O(change): the RFC 6902 ops of the {@code window_update} frame are
 *       recorded while mutating; the window is never copied or diffed. Pure x/y appends also get a
 *       compact {@code append} form ({@link Frame#compact()}), and their per-element ops are built
 *       only if the visdom message is read ({@link Frame#message()}).
 *   <li>Frames carry no sequence number; replaying every frame through {@link FrameApplier}
 *       rebuilds the state exactly (so some commands send more than visdom does, see {@link
 *       EnvCommands} and {@link WinDataCommands}).
 * </ul>
 *
 * <p>Deliberate differences from visdom 0.2.4 (all where visdom crashes or would corrupt a window):
 * an append whose x values are all null/NaN skips that trace instead of failing after a partial
 * change; {@code delete_env} of a never-saved env succeeds; an unknown-name (or unnamed) update of
 * a plot with no traces adds the trace; a trace without a name never matches a named update; string
 * x values are appended (visdom's NaN check crashes on them); {@code delete} of several traces
 * removes them all (visdom's index-shifting loop fails); opts named like window members ({@link
 * PlotUpdater#RESERVED}) are not copied onto the window; {@code image_update_selected} reads {@code
 * data[0].selected}; an unknown heatmap {@code updateDir} is refused.
 *
 * <p>Not thread-safe; the store applies one task's commands from one thread at a time.
 */
public final class VisdomEngine {
  private final WindowCommands windows;
  private final EnvCommands envs;
  private final WinDataCommands winData;

  public VisdomEngine(IdSource ids) {
    this(ids, Limits.DEFAULTS);
  }

  public VisdomEngine(IdSource ids, Limits limits) {
    this.windows = new WindowCommands(ids, limits);
    this.envs = new EnvCommands(limits);
    this.winData = new WinDataCommands(limits);
  }

  public Outcome apply(TaskState state, VisdomCommand cmd) {
    if (cmd instanceof VisdomCommand.CreateWindow c) {
      return windows.create(state, c.eid(), c.win(), c.data(), c.layout(), c.opts());
    } else if (cmd instanceof VisdomCommand.UpdateWindow u) {
      return windows.update(state, u);
    } else if (cmd instanceof VisdomCommand.WinExists w) {
      return winExists(state, w);
    } else if (cmd instanceof VisdomCommand.GetWinData g) {
      return winData.get(state, g.eid(), g.win());
    } else if (cmd instanceof VisdomCommand.SetWinData s) {
      return winData.set(state, s.eid(), s.win(), s.data());
    } else if (cmd instanceof VisdomCommand.CloseWindow c) {
      return envs.close(state, c.eid(), c.win());
    } else if (cmd instanceof VisdomCommand.DeleteEnv d) {
      return envs.deleteEnv(state, d.eid());
    } else if (cmd instanceof VisdomCommand.ListEnvs) {
      return envs.listEnvs(state);
    } else if (cmd instanceof VisdomCommand.ForkEnv f) {
      return envs.fork(state, f.prevEid(), f.eid());
    } else if (cmd instanceof VisdomCommand.SaveEnvs s) {
      return envs.save(state, s.eids());
    } else if (cmd instanceof VisdomCommand.CreateEnv c) {
      return envs.createEnv(state, c.eid());
    } else if (cmd instanceof VisdomCommand.LayoutItemUpdate l) {
      return envs.layoutItem(state, l.eid(), l.win(), l.item());
    } else if (cmd instanceof VisdomCommand.SaveEnvAs s) {
      return envs.saveAs(state, s.prevEid(), s.eid(), s.reload());
    }
    throw new ApiException(ErrorCode.INVALID_EVENT, "unsupported command " + cmd);
  }

  /** {@code true}/{@code false} as text; a missing env is simply {@code false}. */
  private static Outcome winExists(TaskState state, VisdomCommand.WinExists w) {
    EnvState env = state.env(Ids.env(w.eid()));
    boolean exists = env != null && w.win() != null && env.windows().containsKey(w.win());
    return Outcome.of(Reply.text(exists ? "true" : "false"));
  }
}
