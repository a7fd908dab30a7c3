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
    stats: { flushes: 0, framesApplied: 0, lastFlushAt: 0 },
    generation: 0,
  };

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
    const tasks = app.tasks.slice().sort((a, b) =>
      ((STATUS_ORDER[a.status] ?? 3) - (STATUS_ORDER[b.status] ?? 3)) || ((b.last_seen_at || 0) - (a.last_seen_at || 0)));
    if (!tasks.length && !app.shared.length) { box.append(el('div', 'muted pad', 'No tasks.')); return; }
    const groups = [['running', 'Running'], ['lost', 'Lost'], ['finished', 'Finished']];
    for (const [key, label] of groups) {
      const items = tasks.filter(t => (key === 'finished' ? isFinished(t.status) : t.status === key));
      if (!items.length) continue;
      box.append(el('div', 'group-head', label + ' · ' + items.length));
      for (const t of items) box.append(taskItem(t));
    }
    const other = tasks.filter(t => !(t.status in STATUS_ORDER));
    for (const t of other) box.append(taskItem(t));
    if (app.shared.length) {
      box.append(el('div', 'group-head', 'Shared with me · ' + app.shared.length));
      const shared = app.shared.slice().sort((a, b) => (a.status === 'running' ? 0 : 1) - (b.status === 'running' ? 0 : 1)
        || ((b.last_seen_at || 0) - (a.last_seen_at || 0)));
      for (const t of shared) box.append(taskItem(t, true));
    }
  }

  /** True when the record is another user's task shared with this one: watch only, no stop. */
  function isSharedView(rec) {
    const user = VZ.identity.effective();
    return !!(rec && user && rec.user_id && rec.user_id !== user && Array.isArray(rec.shared_with) && rec.shared_with.includes(user));
  }

  function taskItem(t, shared) {
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
    return a;
  }

  // ---------------------------------------------------------------- header, stop

  function renderHeader() {
    const id = app.taskId;
    $('task-head').hidden = !id;
    if (!id) { $('stop-btn').hidden = true; return; }
    $('h-task').textContent = id;
    const rec = app.record && app.record.task_id === id ? app.record : null;
    const status = rec ? rec.status : (app.registry.ok === false || app.denied ? 'unknown' : '…');
    const chip = $('h-status');
    chip.dataset.status = rec ? rec.status : 'unknown';
    const stopping = !!(rec && rec.stop_requested && !isFinished(rec.status));
    chip.textContent = status + (stopping ? ' · stopping…' : '')
      + (rec && rec.exit_code != null && isFinished(rec.status) ? ' (exit ' + rec.exit_code + ')' : '');
    $('h-meta').textContent = rec ? [isSharedView(rec) ? 'read-only · shared by ' + rec.user_id : null, rec.kind, rec.project_id, 'started ' + clock(rec.started_at), 'seen ' + ago(rec.last_seen_at)].filter(Boolean).join(' · ') : '';
    const btn = $('stop-btn');
    const canStop = rec && !isFinished(rec.status) && !app.denied && !isSharedView(rec);
    btn.hidden = !canStop;
    btn.disabled = stopping;
    btn.textContent = stopping ? 'stopping…' : rec && !rec.stoppable ? 'Ask to stop' : 'Stop task';
    btn.title = rec && rec.stoppable ? 'ends the job: SIGTERM to its processes, SIGKILL after the grace period'
      : 'no launcher is attached to this job: Stop only asks it to stop';
    btn.dataset.stoppable = rec && rec.stoppable ? 'true' : 'false';
    const pos = app.stream && app.stream.position;
    $('h-seq').textContent = pos ? 'seq ' + pos.seq : '';
    $('h-seq').title = pos ? 'epoch:seq ' + pos.epoch + ':' + pos.seq : '';
  }

  function askStop() {
    const id = app.taskId;
    if (!id) return;
    $('confirm-task').textContent = id;
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
    app.conn = state;
    app.connDetail = detail || {};
    clearTimeout(app.connTimer);
    const badge = $('conn');
    badge.dataset.state = state;
    let text = state;
    switch (state) {
      case 'connecting': text = 'connecting…'; break;
      case 'cached': text = 'saved view · connecting…'; break;
      case 'live': text = 'live'; break;
      case 'resyncing': text = 're-syncing…'; break;
      case 'reconnecting': text = 'reconnecting in ' + (detail.inMs / 1000).toFixed(1) + 's'; break;
      case 're-synced': {
        const s = detail.sync || {};
        text = s.mode === 'resume' ? 're-synced (resumed)' : 're-synced (snapshot)';
        app.connTimer = setTimeout(() => { if (app.conn === 're-synced') setConn('live', {}); }, 3000);
        break;
      }
      case 'denied': text = 'not shown'; break;
      case 'idle': text = 'not connected'; break;
    }
    $('conn-text').textContent = text;
    badge.title = state === 'reconnecting' ? 'connection lost (' + (detail.why || '') + '); attempt ' + detail.attempt : 'connection: ' + text;
    renderHeader();
  }

  // ---------------------------------------------------------------- model: frames -> panes

  function paneCtx() {
    return { taskId: app.taskId, onDirty: markDirty };
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
      if (app.snapshot && p.win.contentID === win.contentID && p.win.version === win.version) return;
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
      default: break; // register, layout_update, reload: nothing to draw
    }
    app.stats.framesApplied++;
    if (typeof f.seq === 'number') markCacheDirty();
  }

  function onSync(f) {
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
    while (grid.firstChild) grid.firstChild.remove();
    const m = app.envs.get(env);
    if (m) for (const p of m.values()) { p.invalidate(); placePane(p); markDirty(p); }
    syncUrl(false);
    renderTabs();
  }

  function placePane(p) {
    if (p.env !== app.activeEnv) return;
    const grid = $('grid');
    const i = typeof p.win.i === 'number' ? p.win.i : Infinity;
    let before = null;
    for (const c of grid.children) {
      const q = getPane(c.dataset.env, c.dataset.win);
      if (q && (typeof q.win.i === 'number' ? q.win.i : Infinity) > i) { before = c; break; }
    }
    grid.insertBefore(p.root, before);
    updateEmpty();
  }

  function updateEmpty() {
    const m = app.envs.get(app.activeEnv);
    const empty = $('empty');
    if (!app.taskId) { empty.hidden = false; empty.textContent = 'Pick a task on the left.'; return; }
    if (app.denied) { empty.hidden = true; return; }
    empty.hidden = !!(m && m.size);
    empty.textContent = app.conn === 'live' || app.conn === 're-synced' ? 'No windows in env ' + app.activeEnv + ' yet.' : 'Loading…';
  }

  function markDirty(p) {
    app.dirty.add(p);
    if (app.flushPending) return;
    app.flushPending = true;
    // Coalesce: every frame that arrives before the next screen refresh is drawn in one go.
    requestAnimationFrame(flush);
    app.flushTimer = setTimeout(flush, 250); // hidden tabs get no animation frames
  }

  function flush() {
    if (!app.flushPending) return;
    app.flushPending = false;
    clearTimeout(app.flushTimer);
    const keep = [];
    for (const p of app.dirty) {
      if (getPane(p.env, p.id) !== p) continue;
      if (p.env !== app.activeEnv) { p.invalidate(); continue; }
      if (!p.flush()) keep.push(p);
    }
    app.dirty = new Set(keep);
    app.stats.flushes++;
    app.stats.lastFlushAt = Date.now();
    renderHeader();
    if (app.restoreScroll != null && !app.snapshot && window.Plotly) {
      const y = app.restoreScroll;
      app.restoreScroll = null;
      requestAnimationFrame(() => { $('main').scrollTop = y; });
    }
  }

  VZ.onPlotly = function () {
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
    for (const [env, m] of app.envs) envs.push({ env, windows: Array.from(m.values()).map(p => p.win) });
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
    if (id === app.taskId && !app.denied && app.stream) return;
    clearTask();
    notice(null);
    const gen = ++app.generation;
    app.taskId = id;
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
    app.stream = new VZ.Stream(id, { onFrame, onSync, onState: setConn }, position);
    app.stream.start();
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
      };
    },
    /** The figure of window win as drawn: x/y of each trace as the Plotly div holds them. */
    figure(win, env) {
      const p = getPane(env || app.activeEnv, win);
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
    /** Task ids in the list, in display order. */
    tasks() { return Array.from(document.querySelectorAll('#task-list .task:not(.shared)')).map(a => a.dataset.task); },
    /** Task ids in the "Shared with me" group, in display order. */
    sharedTasks() { return Array.from(document.querySelectorAll('#task-list .task.shared')).map(a => a.dataset.task); },
    /** Simulates a network loss (closes the socket without telling the stream). */
    dropConnection() { if (app.stream) app.stream.dropConnection(); },
    /** Writes the saved view now (normally debounced to once a second). */
    saveNow() { saveCacheNow(); },
  };

  // ---------------------------------------------------------------- start

  function init() {
    $('status-filter').value = localStorage.getItem('vz.filter') || 'all';
    $('status-filter').addEventListener('change', () => { localStorage.setItem('vz.filter', $('status-filter').value); pollTasks(); });
    $('open-form').addEventListener('submit', ev => { ev.preventDefault(); openTask($('open-input').value, { push: true }); $('open-input').value = ''; });
    $('stop-btn').addEventListener('click', askStop);
    $('task-list').addEventListener('click', ev => {
      const a = ev.target.closest('a.task');
      if (!a || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.button !== 0) return;
      ev.preventDefault();
      openTask(a.dataset.task, { push: true });
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
    const id = params.get('task_id') || sessionStorage.getItem('vz.task');
    if (id) openTask(id, {});
    else updateEmpty();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
