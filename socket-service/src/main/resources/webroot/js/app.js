/* vizrelay page: my tasks and tasks shared with me (taskinfo), the task view (socket), resume, stop. */
'use strict';
window.VZ = window.VZ || {};
(function () {
  const $ = id => document.getElementById(id);
  const LIST_POLL_MS = 3000;
  const LIST_RETRY_MS = 10000;
  const CACHE_SAVE_MS = 1000;
  const STATUS_ORDER = { running: 0, lost: 1, succeeded: 2, failed: 2, stopped: 2 };

  /**
   * Who the page acts for. Until sign-in exists (issue #7) userId stays null and the server's
   * configured identity applies (VIZRELAY_USER); a sign-in module sets userId and supplies headers
   * / socket parameters here, and nothing else in the page changes.
   */
  VZ.identity = VZ.identity || {
    userId: null,
    inferredUserId: null,
    listParams() { return this.userId ? 'user_id=' + encodeURIComponent(this.userId) : ''; },
    headers() { return {}; },
    socketParams() { return ''; },
    effective() { return this.userId || this.inferredUserId; },
  };

  const app = {
    taskId: null,
    stream: null,
    envs: new Map(), // env -> Map(win id -> Pane)
    envList: [],
    activeEnv: 'main',
    snapshot: null,
    dirty: new Set(),
    flushPending: false,
    flushTimer: null,
    record: null,
    tasks: [],
    shared: [], // tasks other users shared with this one (read-only), GET /api/tasks?scope=shared
    registry: { ok: null, status: null },
    listLoaded: null,
    cacheTimer: null,
    cacheInfo: null,
    denied: null,
    conn: 'idle',
    connDetail: {},
    connTimer: null,
    restoreScroll: null,
    stats: { flushes: 0, framesApplied: 0, lastFlushAt: 0, openStart: 0, openedMs: null, slowestFlushMs: 0, flushMs: 0 },
    generation: 0,
    view: null, // the task's view settings (toolbar): smooth, xaxis, log, clip
    arrangements: new Map(), // env -> VZ.Arrangement
    maxed: null, // the maximised pane
    paneFilter: null, // RegExp on pane titles, or null
    missing: null, // {status, error} when the server refused the socket (no such task, malformed id)
    lastStatus: null,
  };
  const FLUSH_BUDGET_MS = 12; // drawing work per animation frame before the rest waits for the next one
  const pace = new VZ.Pace(); // how often a live pane may be redrawn (adapts to the machine)
  const VIEW_DEFAULT = { smooth: 0, xaxis: 'step', log: false, clip: false };
  const MISSING_RECHECK_MS = 5000;
  const HEADER_MS = 250; // the header's seq is rewritten at most this often during live frames

  // ---------------------------------------------------------------- helpers

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  async function api(path, opts) {
    const o = Object.assign({ headers: {} }, opts || {});
    o.headers = Object.assign({ Accept: 'application/json' }, VZ.identity.headers(), o.headers);
    const res = await fetch(path, o);
    if (res.status === 401 && VZ.signIn) VZ.signIn();
    let json = null;
    try { json = await res.json(); } catch (e) { /* not JSON */ }
    return { status: res.status, ok: res.ok, json };
  }

  function ago(ms) {
    if (!ms) return '–';
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return s + 's ago';
    if (s < 3600) return Math.floor(s / 60) + 'm ago';
    if (s < 86400) return Math.floor(s / 3600) + 'h ago';
    return Math.floor(s / 86400) + 'd ago';
  }

  function clock(ms) {
    if (!ms) return '–';
    const d = new Date(ms);
    const today = new Date().toDateString() === d.toDateString();
    const hm = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    return today ? hm : d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + hm;
  }

  /** The live region: says what changed (status, connection), never re-reads what did not. */
  let lastAnnounced = '';
  function announce(text) {
    if (!text || text === lastAnnounced) return;
    lastAnnounced = text;
    $('announce').textContent = text;
  }

  function isFinished(status) { return status === 'succeeded' || status === 'failed' || status === 'stopped'; }

  function withTimeout(p, ms) {
    return Promise.race([p, new Promise(resolve => setTimeout(() => resolve(null), ms))]);
  }

  // ---------------------------------------------------------------- task list (taskinfo)

  let listTimer = null;
  let resolveFirstList;
  app.listLoaded = new Promise(r => { resolveFirstList = r; });

  async function pollTasks() {
    clearTimeout(listTimer);
    const filter = $('status-filter').value;
    const params = ['status=' + encodeURIComponent(filter), 'limit=200', VZ.identity.listParams()].filter(Boolean).join('&');
    let next = LIST_POLL_MS;
    try {
      const [r, sh] = await Promise.all([api('/api/tasks?' + params),
        api('/api/tasks?scope=shared&' + params).catch(() => null)]);
      if (r.ok && r.json && Array.isArray(r.json.tasks)) {
        app.registry = { ok: true, status: r.status };
        app.tasks = r.json.tasks;
        app.shared = sh && sh.ok && sh.json && Array.isArray(sh.json.tasks) ? sh.json.tasks : [];
        const users = new Set(app.tasks.map(t => t.user_id).filter(Boolean));
        if (users.size === 1) VZ.identity.inferredUserId = users.values().next().value;
      } else {
        app.registry = { ok: false, status: r.status, message: r.json && r.json.error ? r.json.error.message : null };
        next = LIST_RETRY_MS;
      }
    } catch (e) {
      app.registry = { ok: false, status: 0, message: 'network error' };
      next = LIST_RETRY_MS;
    }
    renderTaskList();
    resolveFirstList();
    await refreshRecord();
    listTimer = setTimeout(pollTasks, next);
  }

  /** The open task's registry entry: from the list when it is there, else GET /api/tasks/{id}. */
  async function refreshRecord() {
    const id = app.taskId;
    if (!id) return;
    let rec = app.tasks.find(t => t.task_id === id) || app.shared.find(t => t.task_id === id) || null;
    if (!rec && app.registry.ok) {
      try {
        const r = await api('/api/tasks/' + encodeURIComponent(id));
        if (r.ok && r.json && r.json.task_id) rec = r.json.task || r.json;
        if (r.ok && r.json && r.json.task) rec = r.json.task;
      } catch (e) { /* keep the last */ }
    }
    if (id !== app.taskId) return;
    if (rec) app.record = rec;
    checkOwner();
    renderHeader();
  }

  /** Rebuilds the list off-screen and swaps it in only when it changed (clicks never hit a stale node). */
  function renderTaskList() {
    const box = document.createElement('div');
    buildTaskList(box);
    const list = $('task-list');
    if (list.innerHTML !== box.innerHTML) list.replaceChildren(...box.childNodes);
  }

  function buildTaskList(box) {
    const user = VZ.identity.effective();
    $('h-user').textContent = user ? user : '';
    $('h-user').title = VZ.identity.userId ? 'signed in as ' + user : 'tasks of the server\'s configured user';
    if (app.registry.ok === false) {
      const msg = el('div', 'registry-down');
      msg.append(el('b', null, 'Task list unavailable'),
        el('div', 'small', app.registry.status ? 'the task registry answered HTTP ' + app.registry.status
          + (app.registry.message ? ' (' + app.registry.message + ')' : '') : 'the task registry cannot be reached'),
        el('div', 'small', 'Open a task by its id below; the list comes back by itself.'));
      box.append(msg);
      return;
    }
    if (app.registry.ok === null) { box.append(el('div', 'muted pad', 'loading…')); return; }
    const q = ($('task-search').value || '').trim().toLowerCase();
    const match = t => !q || [t.task_id, t.project_id, t.kind, t.user_id].some(v => v && String(v).toLowerCase().includes(q));
    const byStatus = (a, b) => ((STATUS_ORDER[a.status] ?? 3) - (STATUS_ORDER[b.status] ?? 3)) || ((b.last_seen_at || 0) - (a.last_seen_at || 0));
    const tasks = app.tasks.filter(match).sort(byStatus);
    const shared = app.shared.filter(match).sort(byStatus);
    if (!tasks.length && !shared.length) { box.append(el('div', 'muted pad', q ? 'No task matches "' + q + '".' : 'No tasks.')); return; }
    const pins = pinned();
    const pinnedTasks = tasks.filter(t => pins.has(t.task_id));
    const rest = tasks.filter(t => !pins.has(t.task_id));
    const group = (label, items, sharedGroup) => {
      if (!items.length) return;
      box.append(el('h3', 'group-head', label + ' · ' + items.length));
      for (const t of items) box.append(taskItem(t, sharedGroup));
    };
    group('Pinned', pinnedTasks);
    if ($('group-project').checked) {
      const projects = new Map();
      for (const t of rest) {
        const key = t.project_id || '(no project)';
        if (!projects.has(key)) projects.set(key, []);
        projects.get(key).push(t);
      }
      for (const key of Array.from(projects.keys()).sort()) group(key, projects.get(key));
    } else {
      const groups = [['running', 'Running'], ['lost', 'Lost'], ['finished', 'Finished']];
      for (const [key, label] of groups) group(label, rest.filter(t => (key === 'finished' ? isFinished(t.status) : t.status === key)));
      for (const t of rest.filter(t => !(t.status in STATUS_ORDER))) box.append(taskItem(t));
    }
    group('Shared with me', shared, true);
  }

  function pinned() {
    try { return new Set(JSON.parse(localStorage.getItem('vz.pins') || '[]')); } catch (e) { return new Set(); }
  }

  function togglePin(id) {
    const pins = pinned();
    if (pins.has(id)) pins.delete(id); else pins.add(id);
    localStorage.setItem('vz.pins', JSON.stringify(Array.from(pins)));
    renderTaskList();
  }

  /** True when the record is another user's task shared with this one: watch only, no stop. */
  function isSharedView(rec) {
    const user = VZ.identity.effective();
    return !!(rec && user && rec.user_id && rec.user_id !== user && Array.isArray(rec.shared_with) && rec.shared_with.includes(user));
  }

  function taskItem(t, shared) {
    const row = el('div', 'task-row');
    const a = el('a', 'task');
    if (shared) { a.classList.add('shared'); a.dataset.shared = 'true'; }
    a.href = '?task_id=' + encodeURIComponent(t.task_id);
    a.dataset.task = t.task_id;
    a.dataset.status = t.status;
    if (t.task_id === app.taskId) a.classList.add('current');
    const r1 = el('div', 'row1');
    r1.append(el('i', 'dot'), el('span', 'tid', t.task_id), el('span', 'st', t.status + (t.stop_requested && !isFinished(t.status) ? ' · stopping…' : '')
      + (isFinished(t.status) && t.exit_code != null ? ' · exit ' + t.exit_code : '')));
    const r2 = el('div', 'row2');
    const seq = app.taskId === t.task_id && app.stream && app.stream.position ? Math.max(app.stream.position.seq, t.last_seq || 0) : t.last_seq;
    r2.textContent = [shared ? 'by ' + t.user_id : null, t.kind, t.project_id].filter(Boolean).join(' · ');
    const r3 = el('div', 'row3');
    r3.textContent = 'started ' + clock(t.started_at) + ' · seen ' + ago(t.last_seen_at) + ' · seq ' + (seq ?? 0);
    a.title = 'started ' + new Date(t.started_at || 0).toLocaleString() + '\nlast seen ' + new Date(t.last_seen_at || 0).toLocaleString()
      + (t.host ? '\nhost ' + t.host + (t.pid ? ' pid ' + t.pid : '') : '') + (t.exit_code != null ? '\nexit code ' + t.exit_code : '');
    a.append(r1, r2, r3);
    row.append(a);
    if (!shared) {
      const on = pinned().has(t.task_id);
      const pin = el('button', 'pin', on ? '\u2605' : '\u2606');
      pin.type = 'button';
      pin.dataset.pin = t.task_id;
      pin.setAttribute('aria-pressed', String(on));
      pin.setAttribute('aria-label', 'pin ' + t.task_id);
      row.append(pin);
    }
    return row;
  }

  // ---------------------------------------------------------------- header, stop

  /** Writes text only when it changed: an unchanged header costs no layout. */
  function setText(node, text) {
    const t = String(text);
    if (node.textContent !== t) node.textContent = t;
  }

  function setTitle(node, text) {
    const t = String(text);
    if (node.title !== t) node.title = t;
  }

  function renderHeader() {
    if (app.compare) { if (VZ.compare) VZ.compare.renderHeader(); return; }
    const id = app.taskId;
    $('task-head').hidden = !id;
    $('view-tools').hidden = !id || !!app.denied || !!app.missing;
    if (!id) { $('stop-btn').hidden = true; return; }
    setText($('h-task'), id);
    const rec = app.record && app.record.task_id === id ? app.record : null;
    const status = rec ? rec.status : app.missing ? (app.missing.status === 404 ? 'no such task' : 'invalid') : (app.registry.ok === false || app.denied ? 'unknown' : '…');
    const chip = $('h-status');
    chip.dataset.status = rec ? rec.status : 'unknown';
    const stopping = !!(rec && rec.stop_requested && !isFinished(rec.status));
    setText(chip, status + (stopping ? ' · stopping…' : '')
      + (rec && rec.exit_code != null && isFinished(rec.status) ? ' (exit ' + rec.exit_code + ')' : ''));
    setText($('h-meta'), rec ? [isSharedView(rec) ? 'read-only · shared by ' + rec.user_id : null, rec.kind, rec.project_id, 'started ' + clock(rec.started_at), 'seen ' + ago(rec.last_seen_at)].filter(Boolean).join(' · ') : '');
    const btn = $('stop-btn');
    const canStop = rec && !isFinished(rec.status) && !app.denied && !isSharedView(rec);
    btn.hidden = !canStop;
    // Stop is offered only when it can reach the job: not for a lost task, not while the server is unreachable
    const down = serverDown();
    btn.disabled = stopping || !!(rec && rec.status === 'lost') || down;
    setText(btn, stopping ? 'stopping…' : rec && !rec.stoppable ? 'Ask to stop' : 'Stop task');
    setTitle(btn, down ? 'the server cannot be reached' : rec && rec.status === 'lost' ? 'the task is lost: no job is listening for a stop'
      : rec && rec.stoppable ? 'ends the job: SIGTERM to its processes, SIGKILL after the grace period'
      : 'no launcher is attached to this job: Stop only asks it to stop');
    btn.dataset.stoppable = rec && rec.stoppable ? 'true' : 'false';
    const pos = app.stream && app.stream.position;
    setText($('h-seq'), pos ? 'seq ' + pos.seq : '');
    setTitle($('h-seq'), pos ? 'epoch:seq ' + pos.epoch + ':' + pos.seq : '');
    if (rec && rec.status !== app.lastStatus) {
      if (app.lastStatus) announce('Task ' + id + ' is now ' + rec.status + '.');
      app.lastStatus = rec.status;
    }
    renderConnText();
  }

  /** True when the server does not answer: the socket's probe failed, or the list poll got no answer. */
  function serverDown() {
    return !!(app.connDetail && app.connDetail.down) || (app.registry.ok === false && app.registry.status === 0);
  }

  function askStop() {
    const id = app.taskId;
    if (!id) return;
    setText($('confirm-task'), id);
    const rec = app.record && app.record.task_id === id ? app.record : null;
    const stoppable = !!(rec && rec.stoppable);
    $('confirm-how').textContent = stoppable
      ? 'Its launcher ends the job: SIGTERM to its processes, SIGKILL if they are still running after the grace period.'
      : 'No launcher is attached to this job: Stop only asks it to stop. It stops only if its own code checks the task\'s control endpoint (start it with vizrelay run to make Stop end it).';
    $('confirm-how').dataset.stoppable = stoppable ? 'true' : 'false';
    const dlg = $('confirm-stop');
    dlg.returnValue = '';
    dlg.onclose = () => { if (dlg.returnValue === 'stop' && id === app.taskId) doStop(id); };
    dlg.showModal();
    $('confirm-cancel').focus();
  }

  async function doStop(id) {
    $('stop-btn').disabled = true;
    try {
      const r = await api('/api/tasks/' + encodeURIComponent(id) + '/stop', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      if (!r.ok) throw new Error((r.json && r.json.error && r.json.error.message) || 'HTTP ' + r.status);
      if (r.json && r.json.task_id === id) app.record = r.json;
      else if (app.record) app.record = Object.assign({}, app.record, { stop_requested: true });
      notice((app.record && app.record.stoppable ? 'Stopping ' : 'Stop requested for ') + id + '.', 'info', 4000);
    } catch (e) {
      notice('Could not stop ' + id + ': ' + e.message, 'error');
    }
    renderHeader();
    pollTasks();
  }

  let noticeTimer = null;
  function notice(text, kind, ms) {
    const n = $('notice');
    clearTimeout(noticeTimer);
    if (!text) { n.hidden = true; return; }
    n.hidden = false;
    n.dataset.kind = kind || 'info';
    n.textContent = text;
    if (ms) noticeTimer = setTimeout(() => { n.hidden = true; }, ms);
  }

  // ---------------------------------------------------------------- connection state

  function setConn(state, detail) {
    const wasDown = serverDown();
    app.conn = state;
    app.connDetail = detail || {};
    clearTimeout(app.connTimer);
    if (state === 're-synced') app.connTimer = setTimeout(() => { if (app.conn === 're-synced') setConn('live', {}); }, 3000);
    renderHeader();
    const down = serverDown();
    if (down && !wasDown) announce('Connection to the server lost.');
    if (!down && wasDown && (state === 'live' || state === 're-synced')) announce('Connection restored.');
  }

  /** The badge: the connection, and what it means for this task (finished, lost, no such task). */
  function renderConnText() {
    const state = app.conn;
    const detail = app.connDetail || {};
    const badge = $('conn');
    const rec = app.record && app.record.task_id === app.taskId ? app.record : null;
    let text = state;
    let shown = state;
    switch (state) {
      case 'connecting': text = 'connecting…'; break;
      case 'cached': text = 'saved view · connecting…'; break;
      case 'live': text = 'live'; break;
      case 'resyncing': text = 're-syncing…'; break;
      case 'reconnecting': text = detail.down ? 'connection lost · retry in ' + (detail.inMs / 1000).toFixed(1) + 's'
        : 'reconnecting in ' + (detail.inMs / 1000).toFixed(1) + 's'; break;
      case 're-synced': {
        const s = detail.sync || {};
        text = s.mode === 'resume' ? 're-synced (resumed)' : 're-synced (snapshot)';
        break;
      }
      case 'refused': text = detail.status === 404 ? 'no such task' : 'refused'; break;
      case 'denied': text = 'not shown'; break;
      case 'idle': text = 'not connected'; break;
    }
    if (serverDown()) { shown = 'down'; if (state !== 'reconnecting') text = 'connection lost'; }
    else if ((state === 'live' || state === 're-synced') && rec && isFinished(rec.status)) { text = rec.status + ' · final state'; shown = 'finished'; }
    else if ((state === 'live' || state === 're-synced') && rec && rec.status === 'lost') { text = 'live · job silent (lost)'; shown = 'lost'; }
    badge.dataset.state = shown === state ? state : shown;
    setText($('conn-text'), text);
    setTitle(badge, state === 'reconnecting' ? 'connection lost (' + (detail.why || '') + '); attempt ' + detail.attempt : 'connection: ' + text);
  }

  // ---------------------------------------------------------------- model: frames -> panes

  function paneCtx() {
    return {
      taskId: app.taskId,
      onDirty: markDirty,
      view: () => app.view || VIEW_DEFAULT,
      arrange: arrangePane,
      timeOrigin: () => (app.record && app.record.task_id === app.taskId && app.record.started_at) || null,
    };
  }

  // ---------------------------------------------------------------- arrangement, visibility

  function arrangement(env) {
    let a = app.arrangements.get(env);
    if (!a) { a = new VZ.Arrangement(app.taskId, env); app.arrangements.set(env, a); }
    return a;
  }

  function applyArrangement(p) {
    p.applyArrangement(arrangement(p.env).of(p.id), app.maxed === p);
  }

  /** A pane's arrangement button or key: collapse, wide, max, earlier, later. */
  function arrangePane(p, action) {
    const arr = arrangement(p.env);
    const cur = arr.of(p.id);
    if (action === 'collapse') arr.set(p.id, { collapsed: !cur.collapsed });
    else if (action === 'wide') arr.set(p.id, { wide: !cur.wide });
    else if (action === 'max') {
      const prev = app.maxed;
      app.maxed = prev === p ? null : p;
      if (prev && prev !== p) { applyArrangement(prev); prev.resized(); }
    } else if (action === 'earlier' || action === 'later') {
      const ids = gridOrder();
      const k = ids.indexOf(p.id);
      const to = action === 'earlier' ? k - 1 : k + 1;
      if (k < 0 || to < 0 || to >= ids.length) return;
      ids.splice(k, 1);
      ids.splice(to, 0, p.id);
      arr.setOrder(ids);
      reorderGrid();
      p.handle.focus();
      announce(p.titleString() + ' moved to position ' + (to + 1) + ' of ' + ids.length + '.');
      return;
    }
    applyArrangement(p);
    if (action === 'collapse' && !arr.of(p.id).collapsed) { p.invalidate(); markDirty(p); }
    requestAnimationFrame(() => p.resized());
  }

  function gridOrder() {
    return Array.from($('grid').children).map(c => c.dataset.win);
  }

  /** Moves win before another pane (null: to the end) and keeps the order. */
  function movePane(win, beforeWin) {
    const ids = gridOrder().filter(w => w !== win);
    const k = beforeWin == null ? ids.length : ids.indexOf(beforeWin);
    ids.splice(k < 0 ? ids.length : k, 0, win);
    arrangement(app.activeEnv).setOrder(ids);
    reorderGrid();
  }

  function reorderGrid() {
    const m = app.envs.get(app.activeEnv);
    if (!m) return;
    const arr = arrangement(app.activeEnv);
    const panes = Array.from(m.values()).sort((a, b) => VZ.arrange.compareRank(arr.rank(a.id, a.win.i), arr.rank(b.id, b.win.i)));
    const grid = $('grid');
    panes.forEach((p, k) => { if (grid.children[k] !== p.root) grid.insertBefore(p.root, grid.children[k] || null); });
  }

  /** Panes in or near the viewport are drawn; the others wait until they scroll in. */
  const visibility = 'IntersectionObserver' in window ? new IntersectionObserver(entries => {
    for (const e of entries) {
      const p = getPane(e.target.dataset.env, e.target.dataset.win);
      if (!p || p.root !== e.target) continue;
      const was = p.visible;
      p.visible = e.isIntersecting;
      if (p.visible && !was && (p.needsFull || !p.rendered || (p.ext && p.ext.size) || app.dirty.has(p))) markDirty(p);
    }
  }, { root: null, rootMargin: '150px 0px' }) : null;

  /** A pane the user resized keeps its height; Plotly is told its new size. */
  const resizing = 'ResizeObserver' in window ? new ResizeObserver(entries => {
    for (const e of entries) {
      const p = getPane(e.target.dataset.env, e.target.dataset.win);
      if (!p || p.root !== e.target || app.maxed === p) continue;
      const h = Math.round(e.target.getBoundingClientRect().height);
      const cur = arrangement(p.env).of(p.id);
      if (p.lastHeight != null && Math.abs(h - p.lastHeight) > 2 && !cur.collapsed && e.target.style.height && e.target.style.height !== (cur.height + 'px')) {
        arrangement(p.env).set(p.id, { height: h });
      }
      p.lastHeight = h;
      p.resized();
    }
  }) : null;

  function watch(p) {
    if (!visibility) p.visible = true;
    else visibility.observe(p.root);
    if (resizing) resizing.observe(p.root);
  }

  function unwatch(p) {
    if (visibility) visibility.unobserve(p.root);
    if (resizing) resizing.unobserve(p.root);
    p.visible = false;
  }

  /** The title filter (a regular expression, as TensorBoard's tag filter). */
  function applyFilter(p) {
    const hide = !!(app.paneFilter && !app.paneFilter.test(p.titleString()));
    if (p.root.hidden !== hide) p.root.hidden = hide;
  }

  function envMap(env, create) {
    let m = app.envs.get(env);
    if (!m && create) { m = new Map(); app.envs.set(env, m); renderTabs(); }
    return m;
  }

  function getPane(env, win) {
    const m = app.envs.get(env || 'main');
    return m ? m.get(win) : undefined;
  }

  function upsertWindow(f) {
    const env = f.env || 'main';
    const win = Object.assign({}, f);
    delete win.command; delete win.seq; delete win.env;
    const m = envMap(env, true);
    let p = m.get(win.id);
    if (p) {
      p.seen = true;
      // a bucketed window is always taken again: a re-bucket (sync reason "rebucket") re-sends it at the
      // same version, with fewer points than the page holds
      if (app.snapshot && p.win.contentID === win.contentID && p.win.version === win.version
        && !win.downsampled && !p.win.downsampled) return;
      p.setWindow(win);
    } else {
      p = new VZ.Pane(paneCtx(), env, win);
      m.set(win.id, p);
      placePane(p);
      markDirty(p);
    }
  }

  function removePane(env, win) {
    const m = app.envs.get(env);
    const p = m && m.get(win);
    if (!p) return;
    m.delete(win);
    app.dirty.delete(p);
    unwatch(p);
    if (app.maxed === p) app.maxed = null;
    p.destroy();
    updateEmpty();
  }

  function applyAppend(f) {
    const p = getPane(f.env, f.win);
    if (!p || p.type !== 'plot') throw new Error('append for unknown window ' + f.win);
    const data = p.win.content && p.win.content.data;
    const appends = {};
    let full = false;
    for (const t of f.traces || []) {
      const tr = data && data[t.index];
      if (!tr) throw new Error('append for unknown trace ' + t.index + ' of ' + f.win);
      for (const axis of ['x', 'y']) {
        if (!Array.isArray(t[axis])) continue;
        if (!Array.isArray(tr[axis])) throw new Error('append to a non-array ' + axis);
        for (const v of t[axis]) tr[axis].push(v);
      }
      if (t.marker_color !== undefined) {
        tr.marker = tr.marker && typeof tr.marker === 'object' ? tr.marker : {};
        if (!Array.isArray(tr.marker.color)) tr.marker.color = [];
        for (const v of t.marker_color || []) tr.marker.color.push(v);
        full = true;
      }
      const xs = Array.isArray(t.x) ? t.x : [];
      const ys = Array.isArray(t.y) ? t.y : [];
      if (xs.length !== ys.length) full = true;
      appends[t.index] = { x: xs, y: ys };
    }
    if (f.version !== undefined) p.win.version = f.version;
    if (f.contentID !== undefined) p.win.contentID = f.contentID;
    if (full) p.setWindow(p.win);
    else p.queueAppend(appends);
  }

  function applyPatch(f) {
    const p = getPane(f.env, f.win);
    if (!p) throw new Error('window_update for unknown window ' + f.win);
    const ops = Array.isArray(f.content) ? f.content : [];
    const appends = VZ.patch.appendsOf(p.win, ops);
    const next = VZ.patch.apply(p.win, ops);
    if (appends && next === p.win) p.queueAppend(appends);
    else p.setWindow(next);
  }

  function setEnvList(list) {
    app.envList = Array.isArray(list) ? list.slice() : [];
    for (const env of Array.from(app.envs.keys())) {
      if (!app.envList.includes(env)) {
        for (const w of Array.from(app.envs.get(env).keys())) removePane(env, w);
        app.envs.delete(env);
      }
    }
    renderTabs();
  }

  function onFrame(f) {
    if (app.snapshot && typeof f.seq === 'number') finishSnapshot();
    switch (f.command) {
      case 'window': upsertWindow(f); break;
      case 'window_update': applyPatch(f); break;
      case 'append': applyAppend(f); break;
      case 'close': removePane(f.env || (f.eid) || 'main', f.data); break;
      case 'env_update': setEnvList(f.data); break;
      case 'layout':
        if (app.snapshot && ++app.snapshot.layouts >= app.snapshot.expect) finishSnapshot();
        break;
      case 'task_status':
        if (f.task_id === app.taskId || f.task_id === undefined) {
          app.record = Object.assign({}, app.record || { task_id: app.taskId }, f.data && typeof f.data === 'object' ? f.data : f);
          delete app.record.command;
          renderHeader();
        }
        break;
      case 'reload': // visdom's saved pane layout of an env
        arrangement(f.env || 'main').setVisdomLayout(f.data);
        if ((f.env || 'main') === app.activeEnv) { reorderGrid(); for (const p of (app.envs.get(app.activeEnv) || new Map()).values()) applyArrangement(p); }
        break;
      case 'layout_item': {
        const env = f.env || 'main';
        arrangement(env).setVisdomItem(f.win, f.data);
        const p = getPane(env, f.win);
        if (env === app.activeEnv) { reorderGrid(); if (p) applyArrangement(p); }
        break;
      }
      default: break; // register, layout_update: nothing to draw
    }
    app.stats.framesApplied++;
    if (typeof f.seq === 'number') markCacheDirty();
  }

  /** When each step of opening the task happened (ms since the open started), for the open time. */
  function phase(name) {
    const ph = app.stats.phases || (app.stats.phases = {});
    if (ph[name] == null) ph[name] = Math.round(performance.now() - app.stats.openStart);
  }

  function onSync(f) {
    phase('sync');
    if (app.snapshot) finishSnapshot();
    if (f.mode === 'snapshot') {
      for (const m of app.envs.values()) for (const p of m.values()) p.seen = false;
      app.snapshot = { layouts: 0, expect: Math.max(1, app.envList.length), timer: setTimeout(finishSnapshot, 3000) };
    }
    markCacheDirty();
    renderHeader();
  }

  /** A snapshot is complete: windows it did not mention are gone. */
  function finishSnapshot() {
    const s = app.snapshot;
    if (!s) return;
    clearTimeout(s.timer);
    app.snapshot = null;
    phase('snapshot');
    for (const [env, m] of Array.from(app.envs.entries())) {
      for (const p of Array.from(m.values())) if (!p.seen) removePane(env, p.id);
      if (!m.size && !app.envList.includes(env)) app.envs.delete(env);
    }
    renderTabs();
    markCacheDirty();
  }

  // ---------------------------------------------------------------- envs, grid, rendering

  function renderTabs() {
    const nav = $('env-tabs');
    const envs = Array.from(new Set(app.envList.concat(Array.from(app.envs.keys()))));
    nav.hidden = envs.length <= 1 && (envs[0] || 'main') === app.activeEnv;
    nav.textContent = '';
    for (const env of envs.sort((a, b) => (a === 'main' ? -1 : b === 'main' ? 1 : a.localeCompare(b)))) {
      const b = el('button', 'env-tab' + (env === app.activeEnv ? ' active' : ''), env);
      const n = app.envs.get(env);
      if (n) b.append(el('span', 'count', String(n.size)));
      b.dataset.env = env;
      b.addEventListener('click', () => setActiveEnv(env));
      nav.append(b);
    }
    updateEmpty();
  }

  function setActiveEnv(env) {
    if (env === app.activeEnv) return;
    app.activeEnv = env;
    const grid = $('grid');
    for (const m0 of app.envs.values()) for (const p of m0.values()) if (p.root.isConnected) unwatch(p);
    while (grid.firstChild) grid.firstChild.remove();
    app.maxed = null;
    const m = app.envs.get(env);
    if (m) for (const p of m.values()) { p.invalidate(); placePane(p); markDirty(p); }
    syncUrl(false);
    renderTabs();
  }

  function placePane(p) {
    if (p.env !== app.activeEnv) return;
    const grid = $('grid');
    const arr = arrangement(p.env);
    const mine = arr.rank(p.id, p.win.i);
    let before = null;
    for (const c of grid.children) {
      const q = getPane(c.dataset.env, c.dataset.win);
      if (q && VZ.arrange.compareRank(arr.rank(q.id, q.win.i), mine) > 0) { before = c; break; }
    }
    grid.insertBefore(p.root, before);
    applyArrangement(p);
    applyFilter(p);
    watch(p);
    updateEmpty();
  }

  function updateEmpty() {
    if (app.compare) return;
    const m = app.envs.get(app.activeEnv);
    const empty = $('empty');
    if (!app.taskId) { empty.hidden = false; empty.textContent = 'Pick a task on the left.'; return; }
    if (app.denied || app.missing) { empty.hidden = true; return; }
    empty.hidden = !!(m && m.size);
    empty.textContent = app.conn === 'live' || app.conn === 're-synced' ? 'No windows in env ' + app.activeEnv + ' yet.' : 'Loading…';
  }

  function markDirty(p) {
    app.dirty.add(p);
    if (app.flushPending) return;
    app.flushPending = true;
    // Coalesce: every frame that arrives before the next screen refresh is drawn in one go.
    pace.askedFrame();
    requestAnimationFrame(flush);
    app.flushTimer = setTimeout(flush, 250); // hidden tabs get no animation frames
  }

  /**
   * Draws dirty panes that are in or near the viewport, across all panes, within a time budget per
   * animation frame; what is left waits for the next frame. Off-screen panes stay dirty.
   */
  function flush(frameTs) {
    if (typeof frameTs === 'number') pace.frame(frameTs);
    if (!app.flushPending) return;
    app.flushPending = false;
    clearTimeout(app.flushTimer);
    const t0 = performance.now();
    const keep = new Set();
    let more = false;
    let due = Infinity;
    let liveAllowed = null; // asked once, when the first live pane is due
    const interval = redrawInterval();
    for (const p of app.dirty) {
      if (getPane(p.env, p.id) !== p) continue;
      if (p.env !== app.activeEnv) { p.invalidate(); continue; }
      if (p.root.hidden) { keep.add(p); continue; }
      if (!p.visible) { keep.add(p); continue; }
      // live appends to a drawn pane wait their turn, so that many live panes share the frame budget
      const live = p.rendered && !p.needsFull;
      if (live && t0 - (p.drawnAt || 0) < interval) { keep.add(p); due = Math.min(due, p.drawnAt + interval); continue; }
      if (live && liveAllowed == null) liveAllowed = pace.mayDrawLive();
      if (live && !liveAllowed) { keep.add(p); more = true; continue; }
      if (performance.now() - t0 > FLUSH_BUDGET_MS) { keep.add(p); more = true; continue; }
      const d0 = performance.now();
      if (!p.flush()) { keep.add(p); continue; }
      const took = performance.now() - d0;
      p.drawnAt = performance.now();
      if (live) pace.drew(took);
    }
    app.dirty = keep;
    if (due !== Infinity && !more) { clearTimeout(app.dueTimer); app.dueTimer = setTimeout(markDirtyAgain, Math.max(16, due - performance.now())); }
    const took = performance.now() - t0;
    app.stats.flushMs += took;
    if (took > app.stats.slowestFlushMs) app.stats.slowestFlushMs = took;
    app.stats.flushes++;
    app.stats.lastFlushAt = Date.now();
    headerSoon();
    if (more) markDirtyAgain();
    scheduleBackground();
    noteOpened();
    if (app.restoreScroll != null && !app.snapshot && window.Plotly) {
      const y = app.restoreScroll;
      app.restoreScroll = null;
      requestAnimationFrame(() => { $('main').scrollTop = y; document.scrollingElement.scrollTop = y; });
    }
  }

  /**
   * The header's seq after live frames, at most every HEADER_MS: frames arrive faster than anyone
   * reads a number, and a header written every frame costs the page a layout every frame.
   */
  function headerSoon() {
    if (app.headerTimer) return;
    app.headerTimer = setTimeout(() => { app.headerTimer = null; renderHeader(); }, HEADER_MS);
  }

  /** How often one live pane may be redrawn, with this many plots in view (VZ.Pace). */
  function redrawInterval() {
    let inView = 0;
    const m = app.envs.get(app.activeEnv);
    if (m) for (const p of m.values()) if (p.visible && !p.root.hidden && p.type === 'plot') inView++;
    return pace.interval(inView);
  }

  function markDirtyAgain() {
    if (app.flushPending) return;
    app.flushPending = true;
    pace.askedFrame();
    requestAnimationFrame(flush);
    app.flushTimer = setTimeout(flush, 250);
  }

  /** Panes never drawn and off-screen are drawn one at a time when the browser is idle. */
  let backgroundPending = false;
  function scheduleBackground() {
    if (backgroundPending || !window.Plotly) return;
    let any = false;
    for (const p of app.dirty) if (!p.visible && !p.rendered && !p.root.hidden) { any = true; break; }
    if (!any) return;
    backgroundPending = true;
    const idle = window.requestIdleCallback || (fn => setTimeout(() => fn({ timeRemaining: () => 8 }), 50));
    idle(deadline => {
      backgroundPending = false;
      for (const p of app.dirty) {
        if (deadline.timeRemaining() < 4) break;
        if (getPane(p.env, p.id) !== p || p.env !== app.activeEnv || p.visible || p.rendered || p.root.hidden) continue;
        if (p.flush(true)) { /* drawn once; later changes wait until it is visible */ }
      }
      scheduleBackground();
    }, { timeout: 2000 });
  }

  /** The task is open when the snapshot is in and every pane in view is drawn (the page's open time). */
  function noteOpened() {
    if (app.stats.openedMs != null || !app.taskId || app.snapshot || !(app.conn === 'live' || app.conn === 're-synced')) return;
    const m = app.envs.get(app.activeEnv);
    if (!m || !m.size) return;
    for (const p of m.values()) if (p.visible && !p.root.hidden && (!p.rendered || app.dirty.has(p))) return;
    app.stats.openedMs = Math.round(performance.now() - app.stats.openStart);
    phase('drawn');
  }

  VZ.onPlotly = function () {
    app.stats.plotlyAt = Math.round(performance.now());
    if (app.compare) { VZ.compare.plotlyReady(); return; }
    for (const m of app.envs.values()) for (const p of m.values()) if (p.env === app.activeEnv && p.type === 'plot') markDirty(p);
  };

  // ---------------------------------------------------------------- cache (refresh comes back at once)

  function markCacheDirty() {
    if (app.cacheTimer || !app.taskId) return;
    app.cacheTimer = setTimeout(saveCache, CACHE_SAVE_MS);
  }

  function cacheRecord() {
    const pos = app.stream && app.stream.position;
    if (!pos || !pos.epoch || app.snapshot || app.denied) return null;
    const envs = [];
    // visdom's pane layout (reload / layout_item frames) is part of the state at epoch:seq: a resume
    // from here does not send it again
    for (const [env, m] of app.envs) envs.push({ env, windows: Array.from(m.values()).map(p => p.win), visdom: arrangement(env).visdom });
    return { task_id: app.taskId, epoch: pos.epoch, seq: pos.seq, env_list: app.envList, envs, saved_at: Date.now() };
  }

  function saveCache() {
    app.cacheTimer = null;
    if (app.snapshot) { markCacheDirty(); return; }
    const rec = cacheRecord();
    if (rec) saveRecord(rec); // IndexedDB clones the state synchronously: it matches epoch:seq exactly
  }

  function saveRecord(rec) {
    VZ.cache.save(rec).then(ok => { if (ok && rec.task_id === app.taskId) app.cacheSaved = { epoch: rec.epoch, seq: rec.seq }; });
  }

  function restoreFromCache(rec) {
    app.envList = rec.env_list || [];
    for (const e of rec.envs || []) {
      if (e.visdom && typeof e.visdom === 'object') arrangement(e.env).setVisdomLayout(e.visdom);
      const m = envMap(e.env, true);
      for (const w of e.windows || []) {
        const p = new VZ.Pane(paneCtx(), e.env, w);
        m.set(w.id, p);
        placePane(p);
        markDirty(p);
      }
    }
    renderTabs();
  }

  // ---------------------------------------------------------------- opening a task

  function syncUrl(push) {
    const u = new URL(location.href);
    u.hash = '';
    if (app.taskId) u.searchParams.set('task_id', app.taskId); else u.searchParams.delete('task_id');
    if (app.taskId && app.activeEnv !== 'main') u.searchParams.set('env', app.activeEnv); else u.searchParams.delete('env');
    if (u.href !== location.href) history[push ? 'pushState' : 'replaceState'](null, '', u.href);
    if (app.taskId) sessionStorage.setItem('vz.task', app.taskId);
  }

  function clearTask() {
    if (app.stream) app.stream.stop();
    if (app.cacheTimer) { clearTimeout(app.cacheTimer); app.cacheTimer = null; saveCacheNow(); }
    app.stream = null;
    for (const m of app.envs.values()) for (const p of m.values()) p.destroy();
    app.envs = new Map();
    app.envList = [];
    app.dirty = new Set();
    if (app.snapshot) clearTimeout(app.snapshot.timer);
    app.snapshot = null;
    app.record = null;
    app.denied = null;
    app.missing = null;
    app.lastStatus = null;
    app.maxed = null;
    app.arrangements = new Map();
    clearTimeout(app.missingTimer);
    app.cacheSaved = null;
    $('grid').textContent = '';
  }

  function saveCacheNow() {
    const rec = cacheRecord();
    if (rec) saveRecord(rec);
  }

  /** The page check that the task is the user's (the server enforces it once sign-in exists, #7). */
  function checkOwner() {
    const user = VZ.identity.effective();
    const rec = app.record;
    if (!app.taskId || !rec || rec.task_id !== app.taskId || !user || !rec.user_id || rec.user_id === user || isSharedView(rec)) return false;
    deny('Task ' + app.taskId + ' belongs to another user; it is not shown.');
    return true;
  }

  function deny(text) {
    if (app.denied) return;
    const id = app.taskId;
    clearTask();
    app.taskId = id;
    app.denied = text;
    VZ.cache.drop(id);
    setConn('denied', {});
    notice(text, 'error');
    updateEmpty();
    renderHeader();
  }

  async function openTask(id, opts) {
    id = (id || '').trim();
    if (!id) return;
    if (id === app.taskId && !app.denied && app.stream && !(opts && opts.force)) return;
    clearTask();
    if (!(opts && opts.force)) notice(null);
    const gen = ++app.generation;
    app.taskId = id;
    app.stats.openStart = opts && opts.initial ? 0 : performance.now();
    app.stats.openedMs = null;
    app.stats.phases = {};
    loadView();
    closeDrawer();
    const url = new URL(location.href);
    app.activeEnv = (opts && opts.env) || (url.searchParams.get('task_id') === id && url.searchParams.get('env')) || 'main';
    syncUrl(opts && opts.push);
    renderTaskList();
    renderHeader();
    updateEmpty();
    setConn('connecting', {});
    const scroll = sessionStorage.getItem('vz.scroll:' + id);
    app.restoreScroll = scroll != null ? Number(scroll) : null;
    // In parallel: the saved view of this task, and whether it is the user's (from the registry).
    const owner = (async () => {
      await withTimeout(app.listLoaded, 1500);
      if (app.registry.ok === false) return;
      try {
        const r = await withTimeout(api('/api/tasks/' + encodeURIComponent(id)), 1500);
        if (r && r.status === 403) return 'denied';
        if (r && r.ok && r.json) app.record = r.json.task || r.json;
      } catch (e) { /* registry unreachable: the socket decides */ }
    })();
    const useCache = new URLSearchParams(location.search).get('cache') !== '0';
    const cached = useCache ? await withTimeout(VZ.cache.load(id), 1500) : null;
    if (gen !== app.generation) return;
    let position = null;
    if (cached && cached.epoch && Array.isArray(cached.envs)) {
      restoreFromCache(cached);
      position = { epoch: cached.epoch, seq: cached.seq };
      app.cacheInfo = { restored: true, epoch: cached.epoch, seq: cached.seq, windows: cached.envs.reduce((n, e) => n + e.windows.length, 0) };
      setConn('cached', {});
    } else {
      app.cacheInfo = { restored: false };
    }
    const verdict = await owner;
    if (gen !== app.generation) return;
    if (verdict === 'denied') { deny('You may not open task ' + id + '.'); return; }
    if (VZ.signInRequired && VZ.signInRequired()) { setConn('idle', {}); return; } // the socket would be refused too
    if (checkOwner()) return;
    renderHeader();
    phase('connect');
    app.stream = new VZ.Stream(id, { onFrame, onSync, onState: setConn, onRefused, onOpen: () => phase('open') }, position);
    app.stream.start();
  }

  /**
   * The server refused the socket before the upgrade: 404 no such task (nothing stored, not
   * registered: re-checked every few seconds, so a job that starts later shows up), 400 a malformed
   * id or parameter (its reason), 403 another user's task, 401 sign in.
   */
  function onRefused(status, error) {
    const id = app.taskId;
    if (status === 403) { deny('You may not open task ' + id + '.'); return; }
    if (status === 401) { if (VZ.signIn) VZ.signIn(); return; }
    app.missing = { status, code: error.code, message: error.message };
    VZ.cache.drop(id);
    for (const m of app.envs.values()) for (const p of m.values()) { unwatch(p); p.destroy(); }
    app.envs = new Map();
    app.dirty = new Set();
    if (status === 404) {
      notice('No such task "' + id + '": nothing has been sent for it and the task registry does not know it. '
        + 'Check the id; if its job has not started yet, this page opens it as soon as it does.', 'error');
      announce('No such task ' + id + '.');
      const gen = app.generation;
      app.missingTimer = setTimeout(() => { if (gen === app.generation) openTask(id, { force: true }); }, MISSING_RECHECK_MS);
    } else {
      notice('Task id "' + id + '" cannot be opened: ' + error.message + ' (' + error.code + ', HTTP ' + status + ').', 'error');
      announce('Task id ' + id + ' cannot be opened: ' + error.message);
    }
    updateEmpty();
    renderHeader();
  }

  // ---------------------------------------------------------------- view settings (toolbar), filter, drawer

  function viewKey() { return 'vz.view:' + app.taskId; }

  function loadView() {
    let v = null;
    try { v = JSON.parse(localStorage.getItem(viewKey()) || 'null'); } catch (e) { v = null; }
    app.view = Object.assign({}, VIEW_DEFAULT, v && typeof v === 'object' ? v : {});
    $('g-smooth').value = String(app.view.smooth);
    $('g-smooth-val').textContent = Number(app.view.smooth).toFixed(2);
    $('g-xaxis').value = app.view.xaxis;
    $('g-log').checked = !!app.view.log;
    $('g-clip').checked = !!app.view.clip;
  }

  /** A toolbar change: every plot of the task is redrawn with it (visible ones now, others when shown). */
  function setView(patch) {
    app.view = Object.assign({}, app.view || VIEW_DEFAULT, patch);
    if (app.compare) {
      try { localStorage.setItem('vz.view:compare', JSON.stringify(app.view)); } catch (e) { /* full */ }
      VZ.compare.viewChanged();
      return;
    }
    try { localStorage.setItem(viewKey(), JSON.stringify(app.view)); } catch (e) { /* full */ }
    for (const m of app.envs.values()) for (const p of m.values()) if (p.type === 'plot') { p.invalidate(); if (p.env === app.activeEnv) markDirty(p); }
  }

  function setPaneFilter(text) {
    const input = $('pane-filter');
    let re = null;
    if (text) {
      try { re = new RegExp(text, 'i'); } catch (e) {
        input.setAttribute('aria-invalid', 'true');
        $('pane-filter-msg').textContent = 'not a valid regular expression';
        return;
      }
    }
    input.removeAttribute('aria-invalid');
    app.paneFilter = re;
    const m = app.envs.get(app.activeEnv);
    let shown = 0;
    let total = 0;
    if (m) for (const p of m.values()) {
      total++;
      const was = p.root.hidden;
      applyFilter(p);
      if (!p.root.hidden) shown++;
      if (was && !p.root.hidden && app.dirty.has(p)) markDirty(p);
    }
    $('pane-filter-msg').textContent = re ? shown + ' of ' + total + ' panes' : '';
  }

  function isPhone() { return window.matchMedia('(max-width: 700px)').matches; }

  function openDrawer() {
    document.body.classList.add('drawer-open');
    $('drawer-backdrop').hidden = false;
    $('side-toggle').setAttribute('aria-expanded', 'true');
    const f = $('task-search');
    if (f) f.focus();
  }

  function closeDrawer() {
    if (!document.body.classList.contains('drawer-open')) return;
    document.body.classList.remove('drawer-open');
    $('drawer-backdrop').hidden = true;
    $('side-toggle').setAttribute('aria-expanded', 'false');
  }

  function initControls() {
    $('side-toggle').addEventListener('click', () => (document.body.classList.contains('drawer-open') ? closeDrawer() : openDrawer()));
    $('drawer-backdrop').addEventListener('click', closeDrawer);
    document.addEventListener('keydown', ev => {
      if (ev.key !== 'Escape') return;
      if (app.maxed) { const p = app.maxed; app.maxed = null; applyArrangement(p); requestAnimationFrame(() => p.resized()); p.maxBtn.focus(); return; }
      if (document.body.classList.contains('drawer-open')) { closeDrawer(); $('side-toggle').focus(); }
    });
    let smoothT = null;
    $('g-smooth').addEventListener('input', () => {
      const v = Number($('g-smooth').value);
      $('g-smooth-val').textContent = v.toFixed(2);
      clearTimeout(smoothT);
      smoothT = setTimeout(() => setView({ smooth: v }), 60);
    });
    $('g-xaxis').addEventListener('change', () => setView({ xaxis: $('g-xaxis').value }));
    $('g-log').addEventListener('change', () => setView({ log: $('g-log').checked }));
    $('g-clip').addEventListener('change', () => setView({ clip: $('g-clip').checked }));
    let filterT = null;
    $('pane-filter').addEventListener('input', () => { clearTimeout(filterT); filterT = setTimeout(() => setPaneFilter($('pane-filter').value.trim()), 120); });
    $('reset-layout').addEventListener('click', () => {
      const arr = arrangement(app.activeEnv);
      arr.reset();
      app.maxed = null;
      reorderGrid();
      for (const p of (app.envs.get(app.activeEnv) || new Map()).values()) { applyArrangement(p); p.resized(); }
      announce('Pane layout reset.');
    });
    $('task-search').addEventListener('input', () => renderTaskList());
    $('group-project').checked = localStorage.getItem('vz.groupProject') === '1';
    $('group-project').addEventListener('change', () => { localStorage.setItem('vz.groupProject', $('group-project').checked ? '1' : '0'); renderTaskList(); });
    VZ.arrange.enableDrag($('grid'), movePane);
    // dark or light: plots take their colours from the page, so they are redrawn when it changes
    const dark = window.matchMedia('(prefers-color-scheme: dark)');
    const retheme = () => { for (const m of app.envs.values()) for (const p of m.values()) if (p.type === 'plot') { p.invalidate(); markDirty(p); } };
    if (dark.addEventListener) dark.addEventListener('change', retheme);
  }

  // ---------------------------------------------------------------- compare runs (js/compare.js)

  /** What js/compare.js needs of the page: the API, the task lists, the view settings, notices. */
  function compareHost() {
    return {
      api,
      notice,
      announce,
      view: () => app.view || VIEW_DEFAULT,
      lists: () => ({ tasks: app.tasks.slice(), shared: app.shared.slice(), listLoaded: app.listLoaded }),
      current: () => app.taskId,
      setConn,
    };
  }

  /** ?compare=a,b,c opens the comparison instead of one task; the Compare… button picks one. */
  function initCompare(params) {
    if (!VZ.compare) return;
    VZ.compare.init(compareHost());
    const ids = VZ.compare.idsFrom(params);
    if (!ids) return;
    app.compare = ids;
    app.taskId = null;
    try { app.view = Object.assign({}, VIEW_DEFAULT, JSON.parse(localStorage.getItem('vz.view:compare') || 'null') || {}); } catch (e) { app.view = Object.assign({}, VIEW_DEFAULT); }
    $('g-smooth').value = String(app.view.smooth);
    $('g-smooth-val').textContent = Number(app.view.smooth).toFixed(2);
    $('g-xaxis').value = app.view.xaxis;
    $('g-log').checked = !!app.view.log;
    $('g-clip').checked = !!app.view.clip;
    VZ.compare.start(ids);
  }

  // ---------------------------------------------------------------- test hook (read-only)

  window.vizrelay = {
    /** Connection and stream counters. */
    state() {
      const s = app.stream;
      const panes = [];
      for (const m of app.envs.values()) for (const p of m.values()) panes.push(p);
      return {
        task: app.taskId, conn: app.conn, denied: app.denied, activeEnv: app.activeEnv, envs: app.envList.slice(),
        epoch: s && s.position ? s.position.epoch : null, seq: s && s.position ? s.position.seq : null,
        stream: s ? Object.assign({}, s.stats) : null, lastSync: s ? s.lastSync : null,
        windows: panes.length, dirty: app.dirty.size, snapshotting: !!app.snapshot, plotly: !!window.Plotly,
        cache: app.cacheInfo, cacheSaved: app.cacheSaved || null, flushes: app.stats.flushes, framesApplied: app.stats.framesApplied,
        registry: app.registry, user: VZ.identity.effective(),
        record: app.record ? { status: app.record.status, stop_requested: app.record.stop_requested, stoppable: !!app.record.stoppable, exit_code: app.record.exit_code ?? null, readonly: isSharedView(app.record) } : null,
        missing: app.missing, serverDown: serverDown(), view: app.view, openedMs: app.stats.openedMs, slowestFlushMs: app.stats.slowestFlushMs, flushMs: app.stats.flushMs, phases: app.stats.phases || null, plotlyAt: app.stats.plotlyAt || null, drawMs: pace.drawMs, redrawMs: Math.round(redrawInterval()), pace: pace.snapshot(),
        maxed: app.maxed ? app.maxed.id : null,
      };
    },
    /** Panes of the active env in grid order, with what the page shows of each. */
    grid() {
      return Array.from($('grid').children).map(c => {
        const p = getPane(c.dataset.env, c.dataset.win);
        return { win: c.dataset.win, hidden: c.hidden, visible: !!(p && p.visible), rendered: !!(p && p.rendered),
          collapsed: c.classList.contains('collapsed'), wide: c.classList.contains('wide'), maxed: c.classList.contains('maxed'),
          height: Math.round(c.getBoundingClientRect().height), full: p ? p.counters.full : 0, extend: p ? p.counters.extend : 0 };
      });
    },
    /** The figure of window win as drawn: x/y of each trace as the Plotly div holds them. */
    figure(win, env) {
      const p = getPane(env || app.activeEnv, win) || (VZ.compare && VZ.compare.pane(win));
      return p ? p.figure() : null;
    },
    /** The window JSON the page holds for win. */
    model(win, env) {
      const p = getPane(env || app.activeEnv, win);
      return p ? JSON.parse(JSON.stringify(p.win)) : null;
    },
    /** Every window the page holds, with render counters (full renders vs incremental extends). */
    panes() {
      const out = [];
      for (const [env, m] of app.envs) for (const p of m.values()) {
        out.push({ env, win: p.id, type: p.type, rendered: p.rendered, error: p.error, full: p.counters.full,
          extend: p.counters.extend, traces: p.plotDiv && p.plotDiv.data ? p.plotDiv.data.length : null });
      }
      return out;
    },
    /** Group headings of the task list, in display order. */
    groups() { return Array.from(document.querySelectorAll('#task-list .group-head')).map(g => g.textContent.replace(/ · \d+$/, '')); },
    /** Task ids in the list, in display order. */
    tasks() { return Array.from(document.querySelectorAll('#task-list .task:not(.shared)')).map(a => a.dataset.task); },
    /** Task ids in the "Shared with me" group, in display order. */
    sharedTasks() { return Array.from(document.querySelectorAll('#task-list .task.shared')).map(a => a.dataset.task); },
    /** Simulates a network loss (closes the socket without telling the stream). */
    dropConnection() { if (app.stream) app.stream.dropConnection(); },
    /** Writes the saved view now (normally debounced to once a second). */
    saveNow() { saveCacheNow(); },
    /** The download of a pane (csv or json) as its button makes it: resolves to {name, mime, text}. */
    download(win, kind, env) {
      const p = getPane(env || app.activeEnv, win) || (VZ.compare && VZ.compare.pane(win));
      return p ? p.downloadText(kind) : Promise.reject(new Error('no pane ' + win));
    },
    /** Zooms a pane's x axis as a drag would (Plotly relayout), or back to the overview. */
    zoom(win, x0, x1, env) {
      const p = getPane(env || app.activeEnv, win) || (VZ.compare && VZ.compare.pane(win));
      if (!p || !p.plotDiv || !window.Plotly) return false;
      if (x0 == null) Plotly.relayout(p.plotDiv, { 'xaxis.autorange': true, 'yaxis.autorange': true });
      else Plotly.relayout(p.plotDiv, { 'xaxis.range': [x0, x1] });
      return true;
    },
    /** The comparison (?compare=a,b): tasks, refusals, overlaid panes. */
    compare() { return VZ.compare ? VZ.compare.state() : null; },
  };

  // ---------------------------------------------------------------- start

  function init() {
    initControls();
    $('status-filter').value = localStorage.getItem('vz.filter') || 'all';
    $('status-filter').addEventListener('change', () => { localStorage.setItem('vz.filter', $('status-filter').value); pollTasks(); });
    $('open-form').addEventListener('submit', ev => { ev.preventDefault(); openTask($('open-input').value, { push: true }); $('open-input').value = ''; });
    $('stop-btn').addEventListener('click', askStop);
    $('task-list').addEventListener('click', ev => {
      const a = ev.target.closest('a.task');
      if (!a || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.button !== 0) return;
      if (app.compare) return; // leaves the comparison: the link loads the task
      ev.preventDefault();
      closeDrawer();
      openTask(a.dataset.task, { push: true });
    });
    $('task-list').addEventListener('click', ev => {
      const b = ev.target.closest('button.pin');
      if (b) togglePin(b.dataset.pin);
    });
    let scrollT = null;
    $('main').addEventListener('scroll', () => {
      clearTimeout(scrollT);
      scrollT = setTimeout(() => { if (app.taskId) sessionStorage.setItem('vz.scroll:' + app.taskId, String($('main').scrollTop)); }, 150);
    });
    window.addEventListener('pagehide', () => saveCacheNow());
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') saveCacheNow(); });
    window.addEventListener('popstate', () => {
      const id = new URL(location.href).searchParams.get('task_id');
      if (id && id !== app.taskId) openTask(id, {});
    });
    setInterval(() => { if (app.registry.ok) renderTaskList(); }, 10000); // refresh "seen 3s ago"
    pollTasks();
    const params = new URLSearchParams(location.search);
    initCompare(params);
    if (app.compare) return;
    const id = params.get('task_id') || sessionStorage.getItem('vz.task');
    if (id) openTask(id, { initial: true });
    else { updateEmpty(); if (isPhone()) openDrawer(); }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
