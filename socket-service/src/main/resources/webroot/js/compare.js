/* Compare runs (issue #17): /?compare=a,b,c overlays the windows several tasks have in common
   (same window id, else same title), one colour per task, legend "task · trace". Each task
   streams live over its own socket; a task the user may not watch is refused and named. */
'use strict';
window.VZ = window.VZ || {};
(function () {
  const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
  const DASHES = ['solid', 'dash', 'dot', 'dashdot', 'longdash'];
  const MAX_TASKS = 8;
  const LIVE_REDRAW_MS = 250; // a compare pane with live appends is redrawn at most this often
  const REBUILD_MS = 30; // window frames arriving together rebuild the overlays once
  const $ = id => document.getElementById(id);

  let host = null;
  const cmp = {
    ids: [],
    tasks: new Map(), // task id -> {id, k, stream, wins: Map(env|win -> window), refused, conn, syncing}
    groups: new Map(), // overlay key -> {key, title, pane, sources: [{taskId, env, win, trace}], members}
    unmatched: [],
    pickOrder: [], // the picker's checked tasks, in the order they were checked
    dirty: new Set(),
    pending: false,
    rebuildTimer: null,
    rebuilds: 0,
  };

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /** The task ids of ?compare=a,b,c (unique, at most 8), or null. */
  function idsFrom(params) {
    const raw = params.get('compare');
    if (raw == null) return null;
    const ids = Array.from(new Set(raw.split(',').map(s => s.trim()).filter(Boolean))).slice(0, MAX_TASKS);
    return ids.length ? ids : null;
  }

  function compareUrl(ids) {
    return '/?compare=' + ids.map(encodeURIComponent).join(',');
  }

  // ---------------------------------------------------------------- the picker

  function init(h) {
    host = h;
    const btn = $('compare-btn');
    if (btn) btn.addEventListener('click', openPicker);
    const dlg = $('compare-dlg');
    if (dlg) {
      $('compare-list').addEventListener('change', ev => {
        const c = ev.target;
        cmp.pickOrder = cmp.pickOrder.filter(id => id !== c.value);
        if (c.checked) cmp.pickOrder.push(c.value);
        updatePickerButton();
      });
      dlg.addEventListener('close', () => {
        if (dlg.returnValue !== 'compare') return;
        const ids = picked();
        if (ids.length >= 2) location.assign(compareUrl(ids));
      });
    }
  }

  /** The checked tasks, in the order they were checked (the first keeps the first colour). */
  function picked() {
    const checked = new Set(Array.from(document.querySelectorAll('#compare-list input[type=checkbox]:checked')).map(c => c.value));
    return cmp.pickOrder.filter(id => checked.has(id));
  }

  function updatePickerButton() {
    const n = picked().length;
    $('compare-ok').disabled = n < 2;
    $('compare-count').textContent = n + ' selected' + (n < 2 ? ' (pick at least 2)' : '');
  }

  /** Lists own tasks and tasks shared with the user; the current task or comparison is checked. */
  function openPicker() {
    const lists = host.lists();
    const list = $('compare-list');
    list.textContent = '';
    const checked = new Set(cmp.ids.length ? cmp.ids : [host.current()].filter(Boolean));
    cmp.pickOrder = [];
    const add = (t, shared) => {
      const id = t.task_id;
      const row = el('label', 'compare-row');
      const c = el('input');
      c.type = 'checkbox';
      c.value = id;
      c.checked = checked.has(id);
      if (c.checked) cmp.pickOrder.push(id);
      row.append(c, el('span', 'tid', id), el('span', 'small', [shared ? 'by ' + t.user_id : null, t.status, t.project_id].filter(Boolean).join(' · ')));
      list.append(row);
    };
    for (const t of lists.tasks) add(t, false);
    for (const t of lists.shared) add(t, true);
    if (!list.children.length) list.append(el('p', 'muted', 'No tasks to compare.'));
    updatePickerButton();
    const dlg = $('compare-dlg');
    dlg.returnValue = '';
    dlg.showModal();
  }

  // ---------------------------------------------------------------- streams

  function start(ids) {
    cmp.ids = ids;
    document.body.classList.add('comparing');
    $('view-tools').hidden = false;
    $('env-tabs').hidden = true;
    $('empty').hidden = false;
    $('empty').textContent = 'Loading ' + ids.join(', ') + '…';
    const bar = el('div', 'compare-bar');
    bar.id = 'compare-bar';
    const leave = el('a', 'btn', 'Leave comparison');
    leave.href = '/?task_id=' + encodeURIComponent(ids[0]);
    leave.id = 'compare-leave';
    const msg = el('div', 'notice');
    msg.id = 'compare-msg';
    msg.dataset.kind = 'error';
    msg.hidden = true;
    msg.setAttribute('role', 'alert');
    const legend = el('span', 'compare-legend');
    legend.id = 'compare-legend';
    ids.forEach((id, k) => {
      const chip = el('span', 'compare-chip', id);
      chip.style.setProperty('--c', COLORS[k % COLORS.length]);
      chip.dataset.task = id;
      legend.append(chip);
    });
    bar.append(legend, leave);
    $('grid').before(bar, msg);
    ids.forEach((id, k) => openStream(id, k));
    renderHeader();
  }

  function openStream(id, k) {
    const t = { id, k, wins: new Map(), refused: null, conn: 'connecting', syncing: false, syncTimer: null, stream: null };
    cmp.tasks.set(id, t);
    t.stream = new VZ.Stream(id, {
      onFrame: f => onFrame(t, f),
      onSync: f => onSync(t, f),
      onState: s => { t.conn = s; renderHeader(); },
      onRefused: (status, error) => refused(t, status, error),
    }, null);
    t.stream.start();
  }

  function winKey(env, id) { return env + '|' + id; }

  function onSync(t, f) {
    if (f.mode !== 'snapshot') return;
    t.wins.clear(); // a snapshot re-sends every window
    t.syncing = true;
    clearTimeout(t.syncTimer);
    t.syncTimer = setTimeout(() => endSync(t), 1000);
  }

  function endSync(t) {
    if (!t.syncing) return;
    t.syncing = false;
    clearTimeout(t.syncTimer);
    rebuildSoon();
  }

  function onFrame(t, f) {
    if (t.syncing && (typeof f.seq === 'number' || f.command === 'layout')) endSync(t);
    const env = f.env || 'main';
    switch (f.command) {
      case 'window': {
        const w = Object.assign({}, f);
        delete w.command; delete w.seq;
        w.env = env;
        t.wins.set(winKey(env, w.id), w);
        rebuildSoon();
        break;
      }
      case 'append': applyAppend(t, f, env); break;
      case 'window_update': {
        const w = t.wins.get(winKey(env, f.win));
        if (!w) throw new Error('window_update for unknown window ' + f.win);
        t.wins.set(winKey(env, f.win), VZ.patch.apply(w, Array.isArray(f.content) ? f.content : []));
        rebuildSoon();
        break;
      }
      case 'close': t.wins.delete(winKey(f.env || f.eid || 'main', f.data)); rebuildSoon(); break;
      default: break;
    }
  }

  /** Live points: into the task's window, and drawn incrementally in the overlay that holds it. */
  function applyAppend(t, f, env) {
    const w = t.wins.get(winKey(env, f.win));
    const data = w && w.content && w.content.data;
    if (!data) throw new Error('append for unknown window ' + f.win);
    const appends = {};
    for (const a of f.traces || []) {
      const tr = data[a.index];
      if (!tr) throw new Error('append for unknown trace ' + a.index + ' of ' + f.win);
      for (const axis of ['x', 'y']) if (Array.isArray(a[axis]) && Array.isArray(tr[axis])) for (const v of a[axis]) tr[axis].push(v);
      appends[a.index] = { x: Array.isArray(a.x) ? a.x : [], y: Array.isArray(a.y) ? a.y : [] };
    }
    if (f.version !== undefined) w.version = f.version;
    const g = groupOf(t.id, env, f.win);
    if (!g || t.syncing) return;
    const shifted = {};
    for (const k of Object.keys(appends)) shifted[g.offsets.get(t.id) + Number(k)] = appends[k];
    g.pane.queueAppend(shifted);
  }

  function groupOf(taskId, env, win) {
    for (const g of cmp.groups.values()) if (g.members.some(m => m.taskId === taskId && m.env === env && m.win.id === win)) return g;
    return null;
  }

  /** A task the user may not watch (or that does not exist) is named; the others stay. */
  function refused(t, status, error) {
    if (status === 401 && VZ.signIn) { VZ.signIn(); return; }
    t.refused = { status, code: error.code, message: error.message };
    t.wins.clear();
    const why = status === 403 ? 'you may not watch it' : status === 404 ? 'no such task' : error.message;
    const names = Array.from(cmp.tasks.values()).filter(x => x.refused);
    const msg = $('compare-msg');
    msg.hidden = false;
    msg.textContent = 'Not compared: ' + names.map(x => x.id + ' (' + (x.refused.status === 403 ? 'you may not watch it'
      : x.refused.status === 404 ? 'no such task' : x.refused.message) + ', ' + x.refused.code + ')').join('; ') + '.';
    const chip = document.querySelector('.compare-chip[data-task="' + CSS.escape(t.id) + '"]');
    if (chip) { chip.classList.add('refused'); chip.title = why; }
    host.announce('Task ' + t.id + ' is not compared: ' + why + '.');
    rebuildSoon();
    renderHeader();
  }

  // ---------------------------------------------------------------- overlays

  function rebuildSoon() {
    if (cmp.rebuildTimer) return;
    cmp.rebuildTimer = setTimeout(rebuild, REBUILD_MS);
  }

  function titleOf(w) {
    const l = w.content && w.content.layout;
    const lt = l && l.title ? (typeof l.title === 'object' ? l.title.text : l.title) : '';
    return String(w.title || lt || '');
  }

  function isPlot(w) { return (w.type || 'plot') === 'plot' && w.content && Array.isArray(w.content.data); }

  /** Windows in more than one task, matched by id, else by title: [{key, title, members}]. */
  function matchWindows() {
    const entries = [];
    for (const id of cmp.ids) {
      const t = cmp.tasks.get(id);
      if (!t || t.refused || t.syncing) continue;
      for (const w of t.wins.values()) if (isPlot(w)) entries.push({ taskId: id, env: w.env || envOf(t, w), win: w });
    }
    const byKey = (key) => {
      const m = new Map();
      for (const e of entries) {
        if (e.used) continue;
        const k = key(e);
        if (!k) continue;
        if (!m.has(k)) m.set(k, []);
        m.get(k).push(e);
      }
      const out = [];
      for (const [k, list] of m) {
        const tasks = new Set(list.map(e => e.taskId));
        if (tasks.size < 2) continue;
        const firstPer = cmp.ids.map(id => list.find(e => e.taskId === id)).filter(Boolean);
        firstPer.forEach(e => { e.used = true; });
        out.push({ key: k, title: titleOf(firstPer[0].win) || firstPer[0].win.id, members: firstPer });
      }
      return out;
    };
    const groups = byKey(e => 'id:' + e.env + '|' + e.win.id).concat(byKey(e => (titleOf(e.win) ? 'title:' + e.env + '|' + titleOf(e.win) : null)));
    cmp.unmatched = entries.filter(e => !e.used).map(e => e.taskId + '/' + e.win.id);
    return groups;
  }

  function envOf(t, w) {
    for (const [k, v] of t.wins) if (v === w) return k.slice(0, k.lastIndexOf('|' + w.id));
    return 'main';
  }

  /** The overlay window: every member's traces (sharing their arrays), one colour per task. */
  function combine(g) {
    const data = [];
    const sources = [];
    const offsets = new Map();
    const marks = [];
    let layout = null;
    for (const m of g.members) {
      const k = cmp.ids.indexOf(m.taskId);
      const color = COLORS[k % COLORS.length];
      offsets.set(m.taskId, data.length);
      const traces = m.win.content.data;
      for (const d of Array.isArray(m.win.downsampled) ? m.win.downsampled : []) marks.push(Object.assign({}, d, { index: d.index + data.length }));
      traces.forEach((t, j) => {
        const name = m.taskId + ' \u00b7 ' + (t.name != null ? t.name : 'trace ' + j);
        const marker = t.marker && typeof t.marker === 'object' ? Object.assign({}, t.marker, { color }) : { color };
        data.push(Object.assign({}, t, { name, line: Object.assign({}, t.line, { color, dash: DASHES[j % DASHES.length] }), marker, legendgroup: m.taskId }));
        sources.push({ taskId: m.taskId, env: m.env, win: m.win.id, trace: j });
      });
      if (!layout) layout = Object.assign({}, m.win.content.layout || {});
    }
    layout.showlegend = true;
    const win = { id: g.id, type: 'plot', title: g.title, content: { data, layout } };
    if (marks.length) win.downsampled = marks;
    return { win, sources, offsets };
  }

  function rebuild() {
    cmp.rebuildTimer = null;
    cmp.rebuilds++;
    const groups = matchWindows();
    const keep = new Set();
    const grid = $('grid');
    groups.forEach((g0, n) => {
      let g = cmp.groups.get(g0.key);
      if (!g) {
        g = { key: g0.key, id: 'cmp-' + n + '-' + g0.title.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) };
        cmp.groups.set(g0.key, g);
      }
      g.title = g0.title;
      g.members = g0.members;
      const c = combine(g);
      g.sources = c.sources;
      g.offsets = c.offsets;
      if (!g.pane) {
        g.pane = new VZ.Pane(paneCtx(g), 'main', c.win);
        g.pane.visible = true;
        g.pane.root.classList.add('compare-pane');
        markDirty(g.pane);
      } else g.pane.setWindow(c.win);
      if (grid.children[n] !== g.pane.root) grid.insertBefore(g.pane.root, grid.children[n] || null);
      keep.add(g.key);
    });
    for (const [k, g] of Array.from(cmp.groups)) {
      if (keep.has(k)) continue;
      cmp.dirty.delete(g.pane);
      g.pane.destroy();
      cmp.groups.delete(k);
    }
    const empty = $('empty');
    const anyLive = Array.from(cmp.tasks.values()).some(t => t.conn === 'live' || t.conn === 're-synced');
    empty.hidden = cmp.groups.size > 0;
    empty.textContent = anyLive ? 'These tasks have no plot in common (same window id or title).' : 'Loading…';
    renderHeader();
  }

  function paneCtx(g) {
    return {
      taskId: 'compare',
      onDirty: markDirty,
      view: () => Object.assign({}, host.view(), { xaxis: 'step' }), // times of different runs do not compare
      arrange: null,
      timeOrigin: () => null,
      source: (pane, i) => g.sources[i],
    };
  }

  // ---------------------------------------------------------------- drawing

  function markDirty(p) {
    cmp.dirty.add(p);
    if (cmp.pending) return;
    cmp.pending = true;
    requestAnimationFrame(flush);
    cmp.timer = setTimeout(flush, LIVE_REDRAW_MS);
  }

  /** Draws dirty overlays; a pane with only live appends waits LIVE_REDRAW_MS since its last draw. */
  function flush() {
    if (!cmp.pending) return;
    cmp.pending = false;
    clearTimeout(cmp.timer);
    const now = performance.now();
    const keep = [];
    for (const p of cmp.dirty) {
      const live = p.rendered && !p.needsFull;
      if (live && now - (p.drawnAt || 0) < LIVE_REDRAW_MS) { keep.push(p); continue; }
      if (!p.flush()) { keep.push(p); continue; }
      p.drawnAt = performance.now();
    }
    cmp.dirty = new Set(keep);
    if (keep.length && window.Plotly) setTimeout(() => { for (const p of keep) markDirty(p); }, LIVE_REDRAW_MS);
  }

  function viewChanged() {
    for (const g of cmp.groups.values()) { g.pane.invalidate(); markDirty(g.pane); }
  }

  function plotlyReady() { viewChanged(); }

  function renderHeader() {
    if (!cmp.ids.length) return;
    $('task-head').hidden = false;
    $('stop-btn').hidden = true;
    const tasks = Array.from(cmp.tasks.values());
    const live = tasks.filter(t => t.conn === 'live' || t.conn === 're-synced').length;
    const refusedN = tasks.filter(t => t.refused).length;
    const set = (node, text) => { if (node.textContent !== text) node.textContent = text; };
    set($('h-task'), 'compare · ' + cmp.ids.join(', '));
    const chip = $('h-status');
    chip.dataset.status = refusedN ? 'failed' : 'running';
    set(chip, live + ' of ' + cmp.ids.length + ' live' + (refusedN ? ' · ' + refusedN + ' refused' : ''));
    set($('h-meta'), cmp.groups.size + ' plot' + (cmp.groups.size === 1 ? '' : 's') + ' in common');
    const conn = $('conn');
    const state = live && live + refusedN === tasks.length ? 'live' : 'connecting';
    conn.dataset.state = state;
    set($('conn-text'), state === 'live' ? 'live' : 'connecting…');
    set($('h-seq'), '');
  }

  /** Test hook: what the comparison shows. */
  function state() {
    return {
      ids: cmp.ids.slice(),
      rebuilds: cmp.rebuilds,
      tasks: cmp.ids.map(id => {
        const t = cmp.tasks.get(id);
        return { id, conn: t.conn, refused: t.refused, windows: t.wins.size, syncing: t.syncing,
          seq: t.stream && t.stream.position ? t.stream.position.seq : null };
      }),
      panes: Array.from(cmp.groups.values()).map(g => ({ key: g.key, win: g.pane.id, title: g.title, rendered: g.pane.rendered,
        members: g.members.map(m => m.taskId + '/' + m.win.id),
        names: (g.pane.win.content.data || []).map(t => t.name),
        colors: (g.pane.win.content.data || []).map(t => t.line && t.line.color) })),
      unmatched: cmp.unmatched.slice(),
      message: $('compare-msg') && !$('compare-msg').hidden ? $('compare-msg').textContent : null,
    };
  }

  function pane(win) {
    for (const g of cmp.groups.values()) if (g.pane.id === win || g.title === win) return g.pane;
    return null;
  }

  VZ.compare = { init, idsFrom, start, viewChanged, plotlyReady, renderHeader, state, pane, compareUrl };
})();
