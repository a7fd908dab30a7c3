/* One pane per visdom window: plots (Plotly), text, images, image history, properties.
   Live appends go through Plotly.extendTraces; anything else re-renders that pane only. */
'use strict';
window.VZ = window.VZ || {};
(function () {
  const COLORWAY = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const THREE_D = new Set(['scatter3d', 'surface', 'mesh3d', 'cone', 'streamtube', 'isosurface', 'volume']);
  const NON_CARTESIAN = new Set(['pie', 'sunburst', 'treemap', 'funnelarea', 'sankey', 'table', 'indicator',
    'scatterpolar', 'barpolar', 'scatterternary', 'parcoords', 'parcats', 'choropleth', 'scattergeo']);
  const RENAMED_TYPES = { heatmapgl: 'heatmap', pointcloud: 'scattergl', scattermapbox: 'scattermap' };

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /** Plotly 3 dropped string titles and titlefont: rewrite them where visdom still sends them. */
  function normalizeTitles(o, depth) {
    if (!o || typeof o !== 'object' || Array.isArray(o) || depth > 6) return;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (k === 'title' && (typeof v === 'string' || typeof v === 'number')) o[k] = { text: String(v) };
      else if (v && typeof v === 'object' && !Array.isArray(v)) normalizeTitles(v, depth + 1);
    }
    if (o.titlefont) {
      o.title = Object.assign({}, typeof o.title === 'object' ? o.title : {}, { font: o.titlefont });
      delete o.titlefont;
    }
  }

  function titleText(t) {
    if (t == null) return '';
    if (typeof t === 'object') return t.text || '';
    return String(t);
  }

  function isSmoothable(t) {
    const type = t.type || 'scatter';
    return (type === 'scatter' || type === 'scattergl') && Array.isArray(t.y) && t.z == null
      && (t.mode == null || String(t.mode).includes('lines'));
  }

  /** TensorBoard's smoothing: a debiased exponential moving average; non-finite values pass through. */
  function ema(ys, w, st) {
    const out = new Array(ys.length);
    for (let i = 0; i < ys.length; i++) {
      const y = ys[i];
      if (y == null || typeof y !== 'number' || !isFinite(y)) { out[i] = y; continue; }
      st.last = st.last * w + (1 - w) * y;
      st.n++;
      const debias = w === 1 ? 1 : 1 - Math.pow(w, st.n);
      out[i] = st.last / debias;
    }
    return out;
  }

  function traceColor(t, i) {
    if (t.line && typeof t.line.color === 'string') return t.line.color;
    if (t.marker && typeof t.marker.color === 'string') return t.marker.color;
    return COLORWAY[i % COLORWAY.length];
  }

  function csvCell(v) {
    if (v == null) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  /** The data of a plot window as long-format CSV. */
  function toCsv(win) {
    const rows = [];
    const traces = (win.content && win.content.data) || [];
    const grid = traces.some(t => Array.isArray(t.z) && Array.isArray(t.z[0]));
    if (grid) rows.push(['trace', 'row', 'col', 'x', 'y', 'z']);
    else if (traces.some(t => t.type === 'pie')) rows.push(['trace', 'label', 'value']);
    else rows.push(['trace', 'index', 'x', 'y', 'z']);
    traces.forEach((t, ti) => {
      const name = t.name != null ? t.name : String(ti);
      if (Array.isArray(t.z) && Array.isArray(t.z[0])) {
        t.z.forEach((row, r) => (row || []).forEach((z, c) =>
          rows.push([name, r, c, t.x ? t.x[c] : c, t.y ? t.y[r] : r, z])));
      } else if (t.type === 'pie') {
        (t.values || []).forEach((v, k) => rows.push([name, t.labels ? t.labels[k] : k, v]));
      } else {
        const n = Math.max((t.x || []).length, (t.y || []).length, Array.isArray(t.z) ? t.z.length : 0);
        for (let k = 0; k < n; k++) {
          const row = [name, k, t.x ? t.x[k] : k, t.y ? t.y[k] : null, Array.isArray(t.z) ? t.z[k] : null];
          rows.push(grid ? row : row);
        }
      }
    });
    return rows.map(r => r.map(csvCell).join(',')).join('\n') + '\n';
  }

  function download(name, mime, text) {
    const a = el('a');
    a.href = URL.createObjectURL(new Blob([text], { type: mime }));
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function fileSafe(s) { return String(s).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80); }

  function safeImgSrc(src) {
    const s = String(src || '');
    return /^data:image\/(png|jpe?g|gif|webp|bmp|svg\+xml);/i.test(s) || /^https?:/i.test(s) || /^\/(?!\/)/.test(s) ? s : '';
  }

  let paneSeq = 0;

  /** The view settings every pane follows (the toolbar above the grid): smoothing, x axis, log, clip. */
  const DEFAULT_VIEW = { smooth: 0, xaxis: 'step', log: false, clip: false };

  /** Plot colours from the page's theme (light or dark, prefers-color-scheme). */
  function theme() {
    const cs = getComputedStyle(document.documentElement);
    const v = (name, def) => (cs.getPropertyValue(name) || '').trim() || def;
    return { text: v('--text', '#1f2328'), muted: v('--muted', '#545d6b'), line: v('--line', '#d5d9df'), panel: v('--panel', '#fff') };
  }

  /** Plotly's mode bar buttons are links named only by a tooltip attribute: give them a name. */
  function labelModebar(div) {
    for (const a of div.querySelectorAll('.modebar-btn')) {
      if (!a.getAttribute('aria-label')) a.setAttribute('aria-label', a.getAttribute('data-title') || 'plot tool');
      if (!a.getAttribute('role')) a.setAttribute('role', 'button');
    }
  }

  function button(cls, text, label) {
    const b = el('button', 'tool ' + cls, text);
    b.type = 'button';
    if (label) { b.setAttribute('aria-label', label); b.title = label; }
    return b;
  }

  class Pane {
    /** ctx: {taskId, onDirty(pane), view() -> the view settings, arrange(pane, action), timeOrigin() -> ms} */
    constructor(ctx, env, win) {
      this.ctx = ctx;
      this.env = env;
      this.id = win.id;
      this.win = win;
      this.needsFull = true;
      this.ext = null;
      this.rendered = false;
      this.error = null;
      this.counters = { full: 0, extend: 0, appendsQueued: 0 };
      this.seen = true;
      this.map = null;
      this.emaState = null;
      this.historyPick = null;
      this.visible = false;
      this.arrivals = new Map(); // trace index -> {from, t: []}: arrival times of points received live
      this.receivedAt = Date.now();
      this.settings = this.loadSettings();
      this.root = el('section', 'pane');
      this.root.dataset.win = this.id;
      this.root.dataset.env = env;
      this.titleId = 'pt-' + (++paneSeq);
      this.root.setAttribute('aria-labelledby', this.titleId);
      this.head = el('div', 'pane-head');
      this.handle = button('handle', '\u2807', 'move pane (drag, or arrow keys)');
      this.handle.draggable = true;
      this.titleEl = el('h3', 'pane-title');
      this.titleEl.id = this.titleId;
      this.tools = el('span', 'pane-tools');
      this.arr = el('span', 'arr');
      this.collapseBtn = button('collapse', '\u25be', 'collapse');
      this.collapseBtn.setAttribute('aria-expanded', 'true');
      this.wideBtn = button('widen', '\u2194', 'double width');
      this.wideBtn.setAttribute('aria-pressed', 'false');
      this.maxBtn = button('maximize', '\u2922', 'maximise');
      this.maxBtn.setAttribute('aria-pressed', 'false');
      this.arr.append(this.collapseBtn, this.wideBtn, this.maxBtn);
      this.mark = el('span', 'ds-mark');
      this.mark.hidden = true;
      this.head.append(this.handle, this.titleEl, this.mark, this.tools, this.arr);
      this.zoom = null; // {x0, x1, traces: Map(trace index -> {x, y, downsampled, points})}
      this.zoomSeq = 0; // newest zoom request; older answers are dropped
      this.zoomStats = { fetches: 0, dropped: 0, errors: 0, lastMs: null, lastBytes: null, lastPoints: null };
      this.lastDownload = null;
      this.body = el('div', 'pane-body');
      this.root.append(this.head, this.body);
      this.toolsFor = null;
      const act = a => () => this.ctx.arrange && this.ctx.arrange(this, a);
      this.collapseBtn.addEventListener('click', act('collapse'));
      this.wideBtn.addEventListener('click', act('wide'));
      this.maxBtn.addEventListener('click', act('max'));
      this.handle.addEventListener('keydown', ev => {
        const d = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1 }[ev.key];
        if (!d) return;
        ev.preventDefault();
        this.ctx.arrange && this.ctx.arrange(this, d < 0 ? 'earlier' : 'later');
      });
    }

    /** Shows the arrangement state: {collapsed, wide, height}, and maximised. */
    applyArrangement(a, maxed) {
      const r = this.root;
      r.classList.toggle('collapsed', !!a.collapsed);
      r.classList.toggle('wide', !!a.wide);
      r.classList.toggle('maxed', !!maxed);
      if (a.height && !a.collapsed && !maxed) r.style.height = a.height + 'px'; else r.style.height = '';
      this.collapseBtn.setAttribute('aria-expanded', String(!a.collapsed));
      this.collapseBtn.textContent = a.collapsed ? '\u25b8' : '\u25be';
      this.collapseBtn.setAttribute('aria-label', a.collapsed ? 'expand' : 'collapse');
      this.wideBtn.setAttribute('aria-pressed', String(!!a.wide));
      this.maxBtn.setAttribute('aria-pressed', String(!!maxed));
      this.maxBtn.setAttribute('aria-label', maxed ? 'restore size' : 'maximise');
    }

    /** The pane's title as shown (for the title filter). */
    titleString() {
      const w = this.win;
      const layoutTitle = w.content && w.content.layout ? titleText(w.content.layout.title) : '';
      return String(w.title || layoutTitle || this.id);
    }

    get type() { return this.win.type || 'plot'; }

    loadSettings() {
      try {
        return Object.assign({ log: null }, JSON.parse(localStorage.getItem(this.settingsKey()) || '{}'));
      } catch (e) { return { log: null }; }
    }

    settingsKey() { return 'vz.plot:' + this.ctx.taskId + '|' + this.env + '|' + this.id; }

    saveSettings() {
      try { localStorage.setItem(this.settingsKey(), JSON.stringify(this.settings)); } catch (e) { /* full */ }
    }

    /** A new full window (create, replace, or a patch that is not a pure append). */
    setWindow(win) {
      this.win = win;
      this.arrivals = new Map();
      this.receivedAt = Date.now();
      this.needsFull = true;
      this.ext = null;
      this.ctx.onDirty(this);
    }

    /** Trace i of this pane on the server: {taskId, env, win, trace} (a comparison maps its own). */
    source(i) {
      return this.ctx.source ? this.ctx.source(this, i) : { taskId: this.ctx.taskId, env: this.env, win: this.id, trace: i };
    }

    /** The traces the page holds bucketed: [{index, points, shown}] from the server's mark. */
    downsampledMarks() { return Array.isArray(this.win.downsampled) ? this.win.downsampled : []; }

    /** How many points the server holds for the bucketed traces (live appends included). */
    fullPoints() {
      const data = (this.win.content && this.win.content.data) || [];
      let n = 0;
      for (const m of this.downsampledMarks()) {
        const t = data[m.index];
        const held = t && Array.isArray(t.y) ? t.y.length : 0;
        n += m.points + Math.max(0, held - m.shown);
      }
      return n;
    }

    /** The pane's "downsampled · 1,000,000 pts" mark (or what the zoom shows). */
    updateMark() {
      const marks = this.downsampledMarks();
      let text = '';
      let title = '';
      if (this.zoom) {
        let pts = 0;
        let bucketed = false;
        for (const z of this.zoom.traces.values()) { pts += z.points; bucketed = bucketed || z.downsampled; }
        text = (bucketed ? 'zoom · downsampled · ' : 'zoom · raw · ') + pts.toLocaleString('en-US') + ' pts';
        title = 'x ' + this.zoom.x0 + ' to ' + this.zoom.x1 + (bucketed ? ': more points than fit, bucketed (min/max kept)' : ': every point of the range')
          + '; double-click for the overview';
      } else if (marks.length) {
        text = 'downsampled · ' + this.fullPoints().toLocaleString('en-US') + ' pts';
        title = 'bucketed to at most ' + VZ.points.maxPoints() + ' points per trace, every bucket\'s first, last, min and max kept; zoom for the raw points';
      }
      if (this.zoomError) { text += (text ? ' · ' : '') + 'zoom failed'; title = this.zoomError; }
      // written only when changed: live appends call this on every draw
      if (this.mark.textContent !== text) this.mark.textContent = text;
      if (this.mark.title !== title) this.mark.title = title;
      if (this.mark.hidden !== !text) this.mark.hidden = !text;
      const z = this.zoom ? 'true' : 'false';
      if (this.mark.dataset.zoom !== z) this.mark.dataset.zoom = z;
    }

    /** Plotly's relayout: a zoom or pan fetches the raw points of the range; autorange goes back. */
    onRelayout(ev) {
      if (!ev || typeof ev !== 'object') return;
      if (ev['xaxis.autorange'] === true) { this.overview(); return; }
      let r = ev['xaxis.range'];
      if (!Array.isArray(r) && ev['xaxis.range[0]'] !== undefined) r = [ev['xaxis.range[0]'], ev['xaxis.range[1]']];
      if (!Array.isArray(r)) return;
      const x0 = Number(r[0]);
      const x1 = Number(r[1]);
      if (!isFinite(x0) || !isFinite(x1)) return; // a date axis: the overview stays
      this.zoomTo(Math.min(x0, x1), Math.max(x0, x1));
    }

    /** Back to the overview (double-click): drops the zoom and any request in flight. */
    overview() {
      this.zoomSeq++;
      if (!this.zoom && !this.zoomError) return;
      this.zoom = null;
      this.zoomError = null;
      this.invalidate();
      this.ctx.onDirty(this);
    }

    /** Fetches the points of [x0, x1] of every bucketed trace; the newest request wins. */
    zoomTo(x0, x1) {
      const d = this.drawn || {};
      const idx = new Set(this.downsampledMarks().map(m => m.index));
      if (this.zoom) for (const i of this.zoom.traces.keys()) idx.add(i);
      const data = (this.win.content && this.win.content.data) || [];
      const list = Array.from(idx).filter(i => data[i] && VZ.points.numericX(data[i]));
      if (!list.length || d.xmode !== 'step') return null;
      const seq = ++this.zoomSeq;
      const t0 = performance.now();
      this.zoomStats.fetches++;
      this.zoomPending = true;
      return Promise.all(list.map(i => VZ.points.range(this.source(i), x0, x1))).then(got => {
        if (seq !== this.zoomSeq) { this.zoomStats.dropped++; return; }
        this.zoomPending = false;
        const traces = new Map();
        let bytes = 0;
        let pts = 0;
        list.forEach((i, k) => { traces.set(i, { x: got[k].x, y: got[k].y, downsampled: !!got[k].downsampled, points: got[k].points }); bytes += got[k].bytes || 0; pts += got[k].x.length; });
        this.zoom = { x0, x1, traces };
        this.zoomError = null;
        Object.assign(this.zoomStats, { lastMs: Math.round(performance.now() - t0), lastBytes: bytes, lastPoints: pts });
        this.invalidate();
        this.ctx.onDirty(this);
      }, e => {
        if (seq !== this.zoomSeq) { this.zoomStats.dropped++; return; }
        this.zoomPending = false;
        this.zoomStats.errors++;
        this.zoomError = String(e && e.message || e);
        this.updateMark();
      });
    }

    /** Live points of a zoomed trace that fall in the zoomed range join what the zoom shows. */
    zoomAppend(i, xs, ys) {
      const z = this.zoom && this.zoom.traces.get(i);
      if (!z) return null;
      const keep = { x: [], y: [] };
      for (let k = 0; k < ys.length; k++) {
        const x = xs[k];
        if (typeof x === 'number' && x >= this.zoom.x0 && x <= this.zoom.x1) { keep.x.push(x); keep.y.push(ys[k]); }
      }
      for (let k = 0; k < keep.x.length; k++) { z.x.push(keep.x[k]); z.y.push(keep.y[k]); }
      z.points += keep.x.length;
      return keep;
    }

    /** The traces as drawn: a zoomed trace shows the points the zoom fetched. */
    shownTraces(traces) {
      if (!this.zoom) return traces;
      return traces.map((t, i) => {
        const z = this.zoom.traces.get(i);
        if (!z) return t;
        const c = Object.assign({}, t, { x: z.x, y: z.y });
        delete c.text; delete c.hovertext;
        if (c.marker && Array.isArray(c.marker.color)) c.marker = Object.assign({}, c.marker, { color: undefined });
        return c;
      });
    }

    /** The window with every point (bucketed traces fetched whole): what downloads give. */
    async fullWindow() {
      if (!this.downsampledMarks().length) return this.win;
      return VZ.points.fullWindow(this.win, i => this.source(i));
    }

    /** The download of kind csv or json: {name, mime, text}, always every point. */
    async downloadText(kind) {
      const t0 = performance.now();
      const w = await this.fullWindow();
      const base = fileSafe(this.ctx.taskId + '-' + this.id);
      const out = kind === 'csv'
        ? { name: base + '.csv', mime: 'text/csv', text: toCsv(w) }
        : { name: base + '.json', mime: 'application/json', text: JSON.stringify({ task_id: this.ctx.taskId, env: this.env, win: this.id, title: w.title,
          data: w.content.data, layout: w.content.layout }, null, 1) };
      const points = ((w.content && w.content.data) || []).reduce((n, t) => n + (Array.isArray(t.y) ? t.y.length : 0), 0);
      this.lastDownload = { kind, points, bytes: out.text.length, ms: Math.round(performance.now() - t0) };
      return out;
    }

    async downloadClicked(kind, btn) {
      btn.disabled = true;
      btn.setAttribute('aria-busy', 'true');
      try {
        const d = await this.downloadText(kind);
        download(d.name, d.mime, d.text);
      } catch (e) {
        this.lastDownload = { kind, error: String(e && e.message || e) };
        btn.title = 'download failed: ' + this.lastDownload.error;
      } finally {
        btn.disabled = false;
        btn.removeAttribute('aria-busy');
      }
    }

    /** Points appended to the model: {traceIndex: {x: [], y: []}}, drawn at the next flush. */
    queueAppend(appends) {
      const now = Date.now();
      if (this.zoom) {
        for (const k of Object.keys(appends)) {
          const keep = this.zoomAppend(Number(k), appends[k].x, appends[k].y);
          if (keep) appends[k] = Object.assign({}, appends[k], { shown: keep });
        }
      }
      const data = (this.win.content && this.win.content.data) || [];
      for (const k of Object.keys(appends)) {
        const i = Number(k);
        const tr = data[i];
        const len = tr && Array.isArray(tr.y) ? tr.y.length : 0;
        let a = this.arrivals.get(i);
        if (!a) { a = { from: len - appends[k].y.length, t: [] }; this.arrivals.set(i, a); }
        for (let n = 0; n < appends[k].y.length; n++) a.t.push(now);
      }
      if (this.needsFull) { this.ctx.onDirty(this); return; }
      if (!this.ext) this.ext = new Map();
      for (const k of Object.keys(appends)) {
        const i = Number(k);
        const e = this.ext.get(i) || { x: [], y: [] };
        const a = appends[k].shown || appends[k];
        for (const v of a.x) e.x.push(v);
        for (const v of a.y) e.y.push(v);
        this.ext.set(i, e);
        this.counters.appendsQueued++;
      }
      this.ctx.onDirty(this);
    }

    invalidate() { this.needsFull = true; this.ext = null; }

    /** Draws what changed since the last flush. Returns false when it must wait (Plotly not loaded). */
    flush(background) {
      const isPlot = this.type === 'plot';
      if (isPlot && !window.Plotly) return false;
      // off-screen panes are drawn once in idle time (background), then only when scrolled into view
      if (!this.visible && !(background && !this.rendered)) return false;
      try {
        if (this.needsFull || !this.rendered) this.renderFull();
        else if (this.ext && this.ext.size) this.renderExtend();
        this.error = null;
      } catch (e) {
        this.error = String(e && e.message || e);
        console.error('vizrelay: pane', this.id, e);
        this.body.textContent = '';
        this.body.append(el('div', 'pane-error', 'cannot draw this window: ' + this.error));
        this.rendered = false;
      }
      this.ext = null;
      this.needsFull = false;
      return true;
    }

    renderFull() {
      this.counters.full++;
      const w = this.win;
      this.root.dataset.type = this.type;
      this.titleEl.textContent = this.titleString();
      this.titleEl.title = this.id + (this.env !== 'main' ? ' (env ' + this.env + ')' : '');
      switch (this.type) {
        case 'plot': this.renderPlot(); break;
        case 'text': this.renderText(); break;
        case 'image': this.renderImage(w.content || {}); break;
        case 'image_history': this.renderHistory(); break;
        case 'properties': this.renderProperties(); break;
        default: this.renderUnknown();
      }
      this.rendered = true;
    }

    // ---- plots ----

    plotKind() {
      const traces = (this.win.content && this.win.content.data) || [];
      const types = traces.map(t => t.type || 'scatter');
      return {
        threeD: types.some(t => THREE_D.has(t)),
        cartesian: !types.some(t => THREE_D.has(t) || NON_CARTESIAN.has(t)),
        logScale: !types.some(t => THREE_D.has(t) || NON_CARTESIAN.has(t)) && !traces.some(t => t.z != null),
        smoothable: traces.some(isSmoothable),
      };
    }

    buildTools(kind) {
      const sig = JSON.stringify([this.type, kind, this.titleString()]);
      if (this.toolsFor === sig) return;
      this.toolsFor = sig;
      this.tools.textContent = '';
      if (this.type !== 'plot') return;
      const title = this.titleString();
      if (kind.logScale) {
        const log = button('log-toggle', 'log', 'logarithmic y axis for ' + title);
        log.setAttribute('aria-pressed', String(this.logOn()));
        log.addEventListener('click', () => {
          this.settings.log = !this.logOn();
          this.saveSettings();
          log.setAttribute('aria-pressed', String(this.settings.log));
          this.invalidate();
          this.ctx.onDirty(this);
        });
        this.tools.append(log);
      }
      const csv = button('dl-csv', 'csv', 'download ' + title + ' as CSV (every point)');
      csv.addEventListener('click', () => this.downloadClicked('csv', csv));
      const json = button('dl-json', 'json', 'download ' + title + ' as JSON (every point)');
      json.addEventListener('click', () => this.downloadClicked('json', json));
      this.tools.append(csv, json);
    }

    view() { return Object.assign({}, DEFAULT_VIEW, this.ctx.view ? this.ctx.view() : {}); }

    /**
     * The x values of trace i for the chosen x axis. step: as sent. wall / relative: the time each
     * point reached the page; points that were there before it connected carry no time, so they are
     * spread evenly from the task's start to when the page received them (an estimate, said so on
     * the axis title).
     */
    xsFor(i, t, mode, from, count) {
      const n = Array.isArray(t.y) ? t.y.length : 0;
      if (mode === 'step' || !n) return null;
      const a = this.arrivals.get(i);
      const live = a ? a.from : n;
      const origin = this.ctx.timeOrigin ? this.ctx.timeOrigin() : null;
      const t0 = origin && origin < this.receivedAt ? origin : this.receivedAt;
      const start = from || 0;
      const end = count == null ? n : start + count;
      const out = new Array(end - start);
      for (let k = start; k < end; k++) {
        let ms;
        if (a && k >= live && a.t[k - live] != null) ms = a.t[k - live];
        else ms = live <= 1 ? this.receivedAt : t0 + (this.receivedAt - t0) * (k / (live - 1));
        out[k - start] = mode === 'wall' ? new Date(ms).toISOString() : (ms - t0) / 1000;
      }
      return out;
    }

    /** The y range that leaves out the top and bottom 2 % of points (TensorBoard's "ignore outliers"). */
    clipRange(traces, log) {
      const ys = [];
      for (const t of traces) if (Array.isArray(t.y) && t.z == null) for (const y of t.y) if (typeof y === 'number' && isFinite(y) && (!log || y > 0)) ys.push(y);
      if (ys.length < 10) return null;
      ys.sort((p, q) => p - q);
      const lo = ys[Math.floor(ys.length * 0.02)];
      const hi = ys[Math.ceil(ys.length * 0.98) - 1];
      if (!(hi > lo)) return null;
      if (log) { const l = Math.log10(lo); const h = Math.log10(hi); const m = (h - l) * 0.05; return [l - m, h + m]; }
      const m = (hi - lo) * 0.05;
      return [lo - m, hi + m];
    }

    logOn() {
      if (this.settings.log != null) return this.settings.log;
      if (this.view().log) return true;
      const l = this.win.content && this.win.content.layout;
      return !!(l && l.yaxis && l.yaxis.type === 'log');
    }

    renderPlot() {
      const content = this.win.content || {};
      const kind = this.plotKind();
      const view = this.view();
      this.buildTools(kind);
      const smooth = kind.smoothable ? Number(view.smooth || 0) : 0;
      const xmode = kind.cartesian && kind.smoothable ? view.xaxis : 'step';
      if (xmode !== 'step' && this.zoom) { this.zoom = null; this.zoomSeq++; }
      const traces = this.shownTraces(Array.isArray(content.data) ? content.data : []);
      this.updateMark();
      const logBtn = this.tools.querySelector('.log-toggle');
      if (logBtn) logBtn.setAttribute('aria-pressed', String(this.logOn()));
      this.drawn = { smooth, xmode, clip: !!view.clip && kind.cartesian, log: kind.logScale && this.logOn() };
      const drawTraces = [];
      this.map = { raw: [], smooth: [] };
      this.emaState = [];
      traces.forEach((t0, i) => {
        const t = structuredClone(t0);
        if (RENAMED_TYPES[t.type]) t.type = RENAMED_TYPES[t.type];
        normalizeTitles(t, 0);
        const xs = isSmoothable(t0) ? this.xsFor(i, t0, xmode) : null;
        if (xs) t.x = xs;
        const name = t0.name != null ? String(t0.name) : 'trace ' + i;
        if (smooth > 0 && isSmoothable(t0)) {
          const color = traceColor(t0, i);
          t.opacity = 0.28;
          t.showlegend = false;
          t.legendgroup = 'vz' + i;
          t.name = name + ' (raw)';
          t.line = Object.assign({}, t.line, { color });
          this.map.raw[i] = drawTraces.push(t) - 1;
          const st = { last: 0, n: 0 };
          this.emaState[i] = st;
          const s = { type: t.type || 'scatter', mode: 'lines', name: name + ' (smoothed)',
            x: xs || (Array.isArray(t0.x) ? t0.x.slice() : undefined), y: ema(t0.y, smooth, st),
            line: { color, width: 2 }, legendgroup: 'vz' + i, meta: 'smoothed' };
          this.map.smooth[i] = drawTraces.push(s) - 1;
        } else {
          this.map.raw[i] = drawTraces.push(t) - 1;
        }
      });
      const th = theme();
      const layout = structuredClone(content.layout || {});
      normalizeTitles(layout, 0);
      delete layout.width;
      delete layout.height;
      delete layout.title;
      layout.autosize = true;
      layout.margin = kind.threeD ? { l: 0, r: 0, t: 0, b: 0 } : { l: 52, r: 14, t: 8, b: 34 };
      layout.paper_bgcolor = 'rgba(0,0,0,0)';
      layout.plot_bgcolor = 'rgba(0,0,0,0)';
      layout.font = Object.assign({ size: 11, family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' }, layout.font, { color: th.text });
      layout.uirevision = 'vz';
      if (kind.cartesian) {
        layout.hovermode = 'x unified';
        layout.hoverlabel = Object.assign({ bgcolor: th.panel, bordercolor: th.line, font: { color: th.text } }, layout.hoverlabel);
        for (const ax of ['xaxis', 'yaxis']) {
          layout[ax] = Object.assign({}, layout[ax], { gridcolor: th.line, zerolinecolor: th.line, linecolor: th.line });
        }
        if (xmode !== 'step') {
          layout.xaxis.type = xmode === 'wall' ? 'date' : 'linear';
          layout.xaxis.title = { text: xmode === 'wall' ? 'wall time (arrival at this page; earlier points estimated)'
            : 'seconds since start (arrival at this page; earlier points estimated)', font: { size: 10 } };
          layout.margin.b = 44;
        }
      }
      if (kind.cartesian && layout.showlegend !== false && (traces.length > 1 || layout.showlegend === true)) {
        layout.legend = Object.assign({ orientation: 'h', x: 0, y: 1.0, yanchor: 'bottom', font: { size: 10 }, bgcolor: 'rgba(0,0,0,0)' }, layout.legend);
        layout.margin.t = 24;
      }
      if (kind.logScale) {
        layout.yaxis = Object.assign({}, layout.yaxis);
        if (this.settings.log != null || view.log) layout.yaxis.type = this.logOn() ? 'log' : 'linear';
      }
      if (this.drawn.clip) {
        const r = this.clipRange(traces, this.drawn.log);
        layout.yaxis = Object.assign({}, layout.yaxis);
        if (r) { layout.yaxis.range = r; layout.yaxis.autorange = false; }
        this.clip = r;
      } else this.clip = null;
      if (!this.plotDiv) {
        this.textBox = null;
        this.body.textContent = '';
        this.plotDiv = el('div', 'plot');
        this.plotDiv.setAttribute('role', 'figure');
        this.body.append(this.plotDiv);
      }
      this.plotDiv.setAttribute('aria-label', this.titleString() + ': plot of ' + traces.length + ' trace' + (traces.length === 1 ? '' : 's')
        + (traces.length ? ' (' + traces.map((t, i) => (t.name != null ? t.name : 'trace ' + i) + ', ' + (Array.isArray(t.y) ? t.y.length + ' points' : t.type || 'scatter')).join('; ') + ')' : ''));
      if (!this.plotDiv.isConnected) this.body.append(this.plotDiv);
      Plotly.react(this.plotDiv, drawTraces, layout, { responsive: true, displaylogo: false, scrollZoom: false, displayModeBar: 'hover',
        modeBarButtonsToRemove: ['sendDataToCloud', 'lasso2d', 'select2d'] });
      labelModebar(this.plotDiv);
      if (!this.plotDiv.vzRelayout && this.plotDiv.on) {
        this.plotDiv.vzRelayout = true;
        this.plotDiv.on('plotly_relayout', ev => this.onRelayout(ev));
      }
    }

    /** Plotly draws to its div's size: tell it when the pane was resized. */
    resized() {
      if (this.plotDiv && this.plotDiv.data && window.Plotly && this.visible) {
        try { Plotly.Plots.resize(this.plotDiv); } catch (e) { /* not drawn yet */ }
      }
    }

    renderExtend() {
      const div = this.plotDiv;
      const view = this.view();
      const d = this.drawn || {};
      if (!div || !div.data || !this.map || d.smooth !== (this.plotKind().smoothable ? Number(view.smooth || 0) : 0)) { this.renderFull(); return; }
      const idx = [];
      const xs = [];
      const ys = [];
      const smooth = d.smooth;
      const data = (this.win.content && this.win.content.data) || [];
      for (const [i, e] of this.ext) {
        if (!e.y.length) continue;
        const r = this.map.raw[i];
        const vt = r === undefined ? null : div.data[r];
        if (!vt || !Array.isArray(vt.x) || !Array.isArray(vt.y)) { this.renderFull(); return; }
        const t0 = data[i];
        const mapped = d.xmode !== 'step' && t0 && !this.zoom ? this.xsFor(i, t0, d.xmode, t0.y.length - e.y.length, e.y.length) : null;
        const x = mapped || e.x.slice();
        idx.push(r); xs.push(x); ys.push(e.y.slice());
        const s = this.map.smooth[i];
        if (s !== undefined) {
          idx.push(s); xs.push(x.slice()); ys.push(ema(e.y, smooth, this.emaState[i]));
        }
      }
      this.counters.extend++;
      this.updateMark();
      if (idx.length) Plotly.extendTraces(div, { x: xs, y: ys }, idx);
      if (d.clip) {
        const r = this.clipRange(data, d.log);
        const c = this.clip;
        if (r && (!c || Math.abs(r[0] - c[0]) + Math.abs(r[1] - c[1]) > 0.05 * (c[1] - c[0]))) {
          this.clip = r;
          Plotly.relayout(div, { 'yaxis.range': r, 'yaxis.autorange': false });
        }
      }
    }

    // ---- other window types ----

    resetBody() {
      if (this.plotDiv && window.Plotly) { try { Plotly.purge(this.plotDiv); } catch (e) { /* ignore */ } }
      this.plotDiv = null;
      this.body.textContent = '';
      this.buildTools({});
    }

    renderText() {
      const atBottom = this.textBox ? this.textBox.scrollTop + this.textBox.clientHeight >= this.textBox.scrollHeight - 4 : true;
      if (!this.textBox || !this.textBox.isConnected) {
        this.resetBody();
        this.textBox = el('div', 'text-window');
        this.textBox.tabIndex = 0; // scrollable: reachable by keyboard
        this.body.append(this.textBox);
      }
      this.textBox.textContent = '';
      this.textBox.append(VZ.sanitize(this.win.content));
      if (atBottom) this.textBox.scrollTop = this.textBox.scrollHeight;
    }

    imageFigure(img) {
      const fig = el('figure', 'image-window');
      const src = safeImgSrc(img && img.src);
      if (src) {
        const im = el('img');
        im.src = src;
        im.alt = (img && img.caption) || this.id;
        fig.append(im);
      } else fig.append(el('div', 'pane-error', 'image source not allowed'));
      if (img && img.caption) fig.append(el('figcaption', null, img.caption));
      return fig;
    }

    renderImage(img) {
      this.resetBody();
      this.textBox = null;
      this.body.append(this.imageFigure(img));
    }

    renderHistory() {
      this.resetBody();
      this.textBox = null;
      const list = Array.isArray(this.win.content) ? this.win.content : [];
      if (!list.length) { this.body.append(el('div', 'muted', 'no images yet')); return; }
      const latest = typeof this.win.selected === 'number' ? this.win.selected : list.length - 1;
      let pick = this.historyPick == null ? latest : Math.min(this.historyPick, list.length - 1);
      const wrap = el('div', 'history');
      const holder = el('div', 'history-img');
      const bar = el('div', 'history-bar');
      const range = el('input');
      range.type = 'range'; range.min = '0'; range.max = String(list.length - 1); range.value = String(pick);
      range.setAttribute('aria-label', 'image of ' + this.titleString());
      const label = el('span', 'muted', (pick + 1) + ' / ' + list.length);
      const show = k => { holder.textContent = ''; holder.append(this.imageFigure(list[k])); label.textContent = (k + 1) + ' / ' + list.length; };
      range.addEventListener('input', () => {
        const k = Number(range.value);
        this.historyPick = k === list.length - 1 ? null : k;
        show(k);
      });
      bar.append(range, label);
      wrap.append(holder, bar);
      this.body.append(wrap);
      show(pick);
    }

    renderProperties() {
      this.resetBody();
      this.textBox = null;
      const table = el('table', 'props');
      const list = Array.isArray(this.win.content) ? this.win.content : [];
      for (const p of list) {
        const tr = el('tr');
        tr.append(el('th', null, p && p.name != null ? String(p.name) : ''));
        const td = el('td', null, p && p.value != null ? (typeof p.value === 'object' ? JSON.stringify(p.value) : String(p.value)) : '');
        if (p && p.type) td.title = p.type;
        tr.append(td);
        table.append(tr);
      }
      if (!list.length) this.body.append(el('div', 'muted', 'no properties'));
      this.body.append(table);
    }

    renderUnknown() {
      this.resetBody();
      this.textBox = null;
      this.body.append(el('div', 'muted', 'window type "' + this.type + '" is not drawn by this page'));
      const pre = el('pre', 'raw');
      pre.textContent = JSON.stringify(this.win.content, null, 1).slice(0, 4000);
      this.body.append(pre);
    }

    /** What the page shows for this window: the raw traces as drawn (smoothed overlays excluded). */
    figure() {
      const base = { env: this.env, win: this.id, type: this.type, rendered: this.rendered };
      if (this.type !== 'plot') return Object.assign(base, { content: this.win.content });
      const div = this.plotDiv;
      if (!div || !div.data || !this.map) return Object.assign(base, { traces: null });
      const traces = this.map.raw.map(r => {
        const t = div.data[r];
        return { name: t.name == null ? null : t.name, type: t.type || 'scatter',
          x: Array.isArray(t.x) ? Array.from(t.x) : null, y: Array.isArray(t.y) ? Array.from(t.y) : null,
          z: Array.isArray(t.z) ? t.z.length : null };
      });
      const smoothed = this.map.raw.map((r, i) => {
        const s = this.map.smooth[i];
        return s === undefined ? null : Array.from(div.data[s].y);
      });
      const L = div.layout || {};
      const z = this.zoom;
      return Object.assign(base, { traces, smoothed, downsampled: this.downsampledMarks(), mark: this.mark.hidden ? null : this.mark.textContent,
        zoom: z ? { x0: z.x0, x1: z.x1, traces: Array.from(z.traces, ([i, t]) => ({ index: i, downsampled: t.downsampled, points: t.points })) } : null,
        zoomPending: !!this.zoomPending, zoomStats: Object.assign({}, this.zoomStats), lastDownload: this.lastDownload,
        xrange: L.xaxis && Array.isArray(L.xaxis.range) ? Array.from(L.xaxis.range) : null, yaxis: L.yaxis ? L.yaxis.type || null : null,
        hovermode: L.hovermode || null, xaxis: L.xaxis ? L.xaxis.type || null : null,
        yrange: L.yaxis && L.yaxis.autorange === false && Array.isArray(L.yaxis.range) ? Array.from(L.yaxis.range) : null,
        names: div.data.map(t => (t.name == null ? null : t.name)), font: L.font ? L.font.color || null : null });
    }

    destroy() {
      if (this.plotDiv && window.Plotly) { try { Plotly.purge(this.plotDiv); } catch (e) { /* ignore */ } }
      this.root.remove();
    }
  }

  VZ.Pane = Pane;
  VZ.panes = { toCsv, ema, normalizeTitles };
})();
