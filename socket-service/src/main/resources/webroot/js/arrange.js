/* Pane arrangement per task and env: order, height, double width, collapsed. Kept in localStorage
   ("vz.layout:<task>|<env>"); visdom's saved layout (reload / layout_item frames) gives the order
   and sizes of panes the user has not arranged here. Maximise is a view state, not kept. */
'use strict';
window.VZ = window.VZ || {};
(function () {
  const ROW_PX = 10; // visdom's grid row height + margin, to turn a layout item's h into pixels

  class Arrangement {
    constructor(taskId, env) {
      this.key = 'vz.layout:' + taskId + '|' + env;
      this.state = { order: [], panes: {} };
      this.visdom = {}; // win -> {x, y, w, h} from the server's reload / layout_item frames
      try {
        const s = JSON.parse(localStorage.getItem(this.key) || 'null');
        if (s && Array.isArray(s.order) && s.panes && typeof s.panes === 'object') this.state = s;
      } catch (e) { /* unreadable: start fresh */ }
    }

    save() {
      try { localStorage.setItem(this.key, JSON.stringify(this.state)); } catch (e) { /* full */ }
    }

    reset() {
      this.state = { order: [], panes: {} };
      try { localStorage.removeItem(this.key); } catch (e) { /* ignore */ }
    }

    /** The arrangement of one pane: the user's, else what visdom's layout says. */
    of(win) {
      const own = this.state.panes[win] || {};
      const v = this.visdom[win];
      const out = Object.assign({}, own);
      if (out.height == null && v && typeof v.h === 'number' && v.h > 0) out.height = Math.max(160, Math.min(900, Math.round(v.h * ROW_PX)));
      if (out.wide == null && v && typeof v.w === 'number' && this.maxVisdomW() > 0) out.wide = v.w > this.maxVisdomW() * 0.6;
      return out;
    }

    maxVisdomW() {
      let m = 0;
      for (const v of Object.values(this.visdom)) if (v && typeof v.w === 'number') m = Math.max(m, v.w);
      // visdom's grid is 100 units wide: a pane wider than 60 of them is drawn double width
      return Math.max(m, 100);
    }

    set(win, patch) {
      this.state.panes[win] = Object.assign({}, this.state.panes[win], patch);
      this.save();
    }

    /** visdom's reload frame: {win: {x, y, w, h, ...}} for the env. */
    setVisdomLayout(data) {
      this.visdom = {};
      if (data && typeof data === 'object') for (const [win, v] of Object.entries(data)) if (v && typeof v === 'object') this.visdom[win] = v;
    }

    setVisdomItem(win, v) {
      if (v && typeof v === 'object') this.visdom[win] = v; else delete this.visdom[win];
    }

    /**
     * A sort key for a pane: the user's order first (by position in it), then visdom's (y, x), then
     * the task's order (i).
     */
    rank(win, i) {
      const k = this.state.order.indexOf(win);
      if (k >= 0) return [0, k, 0];
      const v = this.visdom[win];
      if (v && typeof v.y === 'number') return [1, v.y, typeof v.x === 'number' ? v.x : 0];
      return [2, typeof i === 'number' ? i : Infinity, 0];
    }

    /** Stores the order shown now (a list of window ids), after a move. */
    setOrder(wins) {
      this.state.order = wins.slice();
      this.save();
    }
  }

  function compareRank(a, b) {
    for (let k = 0; k < 3; k++) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
    return 0;
  }

  /**
   * Drag to reorder on the grid (HTML drag and drop by a pane's handle). onMove(win, beforeWin|null)
   * is called on a drop.
   */
  function enableDrag(grid, onMove) {
    let dragged = null;
    const clear = () => grid.querySelectorAll('.drop-before, .drop-after').forEach(e => e.classList.remove('drop-before', 'drop-after'));
    grid.addEventListener('dragstart', ev => {
      const h = ev.target.closest && ev.target.closest('.handle');
      const pane = h && h.closest('.pane');
      if (!pane) { ev.preventDefault(); return; }
      dragged = pane;
      pane.classList.add('dragging');
      ev.dataTransfer.effectAllowed = 'move';
      ev.dataTransfer.setData('text/plain', pane.dataset.win);
      try { ev.dataTransfer.setDragImage(pane, 20, 15); } catch (e) { /* optional */ }
    });
    const target = ev => {
      const pane = ev.target.closest && ev.target.closest('.pane');
      if (!pane || !dragged || pane === dragged) return null;
      const r = pane.getBoundingClientRect();
      return { pane, after: ev.clientX > r.left + r.width / 2 };
    };
    grid.addEventListener('dragover', ev => {
      const t = target(ev);
      if (!t) return;
      ev.preventDefault();
      clear();
      t.pane.classList.add(t.after ? 'drop-after' : 'drop-before');
    });
    grid.addEventListener('drop', ev => {
      const t = target(ev);
      clear();
      if (!t) return;
      ev.preventDefault();
      const before = t.after ? t.pane.nextElementSibling : t.pane;
      if (before === dragged) return;
      onMove(dragged.dataset.win, before ? before.dataset.win : null);
    });
    grid.addEventListener('dragend', () => {
      clear();
      if (dragged) dragged.classList.remove('dragging');
      dragged = null;
    });
  }

  VZ.Arrangement = Arrangement;
  VZ.arrange = { compareRank, enableDrag };
})();
