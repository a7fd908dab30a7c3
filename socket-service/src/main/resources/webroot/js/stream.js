/* The task's socket: register -> sync (snapshot | resume) -> live frames with seq. Tracks the
   epoch:seq of the last frame applied, drops duplicates, reconnects with since= on a gap or a
   lost connection (exponential backoff with jitter). Also the IndexedDB cache of window state. */
'use strict';
window.VZ = window.VZ || {};
(function () {
  const BASE_DELAY_MS = 300;
  const MAX_DELAY_MS = 10000;
  /** Error codes that mean "this socket will not open as asked" (any other answer: try again). */
  const REFUSALS = new Set(['TASK_NOT_FOUND', 'INVALID_TASK_ID', 'INVALID_ENV', 'FORBIDDEN', 'UNAUTHORIZED']);

  class Stream {
    /**
     * handlers: onFrame(frame) applies one frame (throws when it cannot: the stream then asks for a
     * snapshot); onSync(frame) a sync frame; onState(state, detail) connection state changes.
     * position: {epoch, seq} the caller's state already reflects (from the cache), or null.
     */
    constructor(taskId, handlers, position) {
      this.taskId = taskId;
      this.h = handlers;
      this.position = position || null;
      this.ws = null;
      this.attempt = 0;
      this.timer = null;
      this.stopped = false;
      this.everSynced = false;
      this.state = 'idle';
      this.stats = { connects: 0, duplicates: 0, gaps: 0, resumes: 0, resumeMisses: 0, snapshots: 0, frames: 0, applyErrors: 0 };
      this.lastSync = null;
      this.onOnline = () => { if (this.state === 'reconnecting') this.connectNow(); };
      window.addEventListener('online', this.onOnline);
    }

    url() {
      const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
      let u = proto + '//' + location.host + '/socket?task_id=' + encodeURIComponent(this.taskId) + '&env=*&format=compact&known=1'
        + '&max_points=' + (VZ.points ? VZ.points.maxPoints() : 4000);
      if (this.position && this.position.epoch) u += '&since=' + encodeURIComponent(this.position.epoch + ':' + this.position.seq);
      const auth = VZ.identity && VZ.identity.socketParams ? VZ.identity.socketParams() : '';
      return auth ? u + '&' + auth : u;
    }

    setState(state, detail) {
      this.state = state;
      this.h.onState(state, detail || {});
    }

    start() { this.connectNow(); }

    connectNow() {
      if (this.stopped) return;
      clearTimeout(this.timer);
      this.timer = null;
      if (this.ws) { this.detach(this.ws); try { this.ws.close(); } catch (e) { /* ignore */ } }
      this.setState(this.everSynced || this.attempt > 0 ? 'resyncing' : 'connecting', { since: this.position });
      let ws;
      try {
        ws = new WebSocket(this.url());
      } catch (e) {
        this.scheduleReconnect('error');
        return;
      }
      this.ws = ws;
      this.stats.connects++;
      let opened = false;
      const url = ws.url;
      ws.onopen = () => { opened = true; this.serverDown = false; if (this.h.onOpen) this.h.onOpen(); };
      ws.onmessage = ev => this.onMessage(ev);
      ws.onclose = ev => {
        if (this.ws !== ws) return;
        this.ws = null;
        if (opened) { this.scheduleReconnect('closed ' + ev.code); return; }
        this.whyRefused(url);
      };
      ws.onerror = () => { /* onclose follows */ };
    }

    detach(ws) { ws.onopen = null; ws.onmessage = null; ws.onclose = null; ws.onerror = null; }

    /**
     * The socket closed before it opened: browsers do not show the HTTP answer of a refused
     * upgrade, so the same URL is asked over plain HTTP. The server validates before the upgrade,
     * so a refusal comes back as its 4xx JSON error; no answer at all means the server is down.
     */
    async whyRefused(url) {
      let status = 0;
      let error = null;
      try {
        const res = await fetch(url.replace(/^ws/, 'http'), { headers: { Accept: 'application/json' }, cache: 'no-store' });
        status = res.status;
        try { const j = await res.json(); error = j && j.error ? j.error : null; } catch (e) { /* not JSON */ }
      } catch (e) { status = 0; }
      if (this.stopped || this.ws) return;
      this.serverDown = status === 0;
      if (error && REFUSALS.has(error.code) && this.h.onRefused) {
        this.stopped = true;
        this.setState('refused', { status, error });
        this.h.onRefused(status, error);
        return;
      }
      this.scheduleReconnect(status === 0 ? 'server unreachable' : 'refused (HTTP ' + status + ')');
    }

    scheduleReconnect(why) {
      if (this.stopped || this.timer) return;
      const exp = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * Math.pow(2, Math.min(this.attempt, 8)));
      const delay = Math.round(exp / 2 + Math.random() * exp / 2);
      this.attempt++;
      this.setState('reconnecting', { why, inMs: delay, attempt: this.attempt, since: this.position, down: !!this.serverDown });
      this.timer = setTimeout(() => { this.timer = null; this.connectNow(); }, delay);
    }

    /** Reconnect at once (a gap, or the state could not be applied: then without since = a snapshot). */
    restart(why, snapshot) {
      if (snapshot) this.position = null;
      if (this.ws) { this.detach(this.ws); try { this.ws.close(); } catch (e) { /* ignore */ } this.ws = null; }
      clearTimeout(this.timer);
      this.timer = null;
      this.setState('resyncing', { why });
      this.connectNow();
    }

    onMessage(ev) {
      let f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (!f || typeof f !== 'object') return;
      if (f.command === 'sync') {
        this.lastSync = f;
        this.position = { epoch: f.epoch, seq: f.seq };
        if (f.mode === 'resume') this.stats.resumes++;
        else this.stats.snapshots++;
        if (f.recovered === false) this.stats.resumeMisses++;
        try { this.h.onSync(f); } catch (e) { console.error('vizrelay: sync', e); }
        const first = !this.everSynced;
        this.everSynced = true;
        this.attempt = 0;
        if (first && f.reason === 'connect' && !f.hasOwnProperty('recovered')) this.setState('live', { sync: f });
        else this.setState('re-synced', { sync: f });
        return;
      }
      if (typeof f.seq === 'number') {
        const pos = this.position;
        if (!pos) return; // not synced yet: the sync frame always comes first
        if (f.seq <= pos.seq) { this.stats.duplicates++; return; }
        if (f.seq !== pos.seq + 1) {
          this.stats.gaps++;
          this.restart('gap ' + pos.seq + ' -> ' + f.seq, false);
          return;
        }
      }
      this.stats.frames++;
      try {
        this.h.onFrame(f);
      } catch (e) {
        this.stats.applyErrors++;
        console.error('vizrelay: could not apply frame, asking for a snapshot', f, e);
        this.restart('apply error', true);
        return;
      }
      if (typeof f.seq === 'number') this.position.seq = f.seq;
    }

    /** Test hook: drop the connection as a network loss would (the stream resumes with since=). */
    dropConnection() {
      if (this.ws) this.ws.close(4000, 'test: simulated network loss');
    }

    stop() {
      this.stopped = true;
      clearTimeout(this.timer);
      window.removeEventListener('online', this.onOnline);
      if (this.ws) { this.detach(this.ws); try { this.ws.close(1000, 'page left the task'); } catch (e) { /* ignore */ } }
      this.ws = null;
    }
  }

  /** The window state of the last tasks seen, with the epoch:seq it reflects, in IndexedDB. */
  const cache = (function () {
    const DB = 'vizrelay';
    const STORE = 'taskstate';
    let dbp = null;
    function open() {
      if (dbp) return dbp;
      dbp = new Promise((resolve) => {
        if (!window.indexedDB) { resolve(null); return; }
        let req;
        try { req = indexedDB.open(DB, 1); } catch (e) { resolve(null); return; }
        req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'task_id' });
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => resolve(null);
        req.onblocked = () => resolve(null);
      });
      return dbp;
    }
    function tx(mode, fn) {
      return open().then(db => new Promise(resolve => {
        if (!db) { resolve(null); return; }
        try {
          const t = db.transaction(STORE, mode);
          const r = fn(t.objectStore(STORE));
          t.oncomplete = () => resolve(r && r.result !== undefined ? r.result : true);
          t.onerror = () => resolve(null);
          t.onabort = () => resolve(null);
        } catch (e) { resolve(null); }
      }));
    }
    return {
      load(taskId) { return tx('readonly', s => s.get(taskId)); },
      save(record) { return tx('readwrite', s => s.put(record)); },
      drop(taskId) { return tx('readwrite', s => s.delete(taskId)); },
    };
  })();

  VZ.Stream = Stream;
  VZ.cache = cache;
})();
