/* Full-resolution points of a trace from the server (issue #17): the page's zoom and downloads.
   GET /api/tasks/{id}/windows/{win}/points answers the raw points of an x range when they fit,
   else the range bucketed (M4); POST /task/{id}/win_data answers the whole window. */
'use strict';
window.VZ = window.VZ || {};
(function () {
  const DEFAULT_MAX_POINTS = 4000;
  const DOWNLOAD_MAX_POINTS = 1000000;

  /** Points per trace the page asks for: the max_points URL parameter, else 4000. */
  function maxPoints() {
    const v = Number(new URLSearchParams(location.search).get('max_points'));
    return Number.isInteger(v) && v >= 10 && v <= 1000000 ? v : DEFAULT_MAX_POINTS;
  }

  function headers() {
    const h = { Accept: 'application/json' };
    return Object.assign(h, VZ.identity && VZ.identity.headers ? VZ.identity.headers() : {});
  }

  async function getJson(url, opts) {
    const res = await fetch(url, Object.assign({ headers: headers(), cache: 'no-store' }, opts || {}));
    if (res.status === 401 && VZ.signIn) VZ.signIn();
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch (e) { json = null; }
    if (json && typeof json === 'object' && !Array.isArray(json)) Object.defineProperty(json, 'bytes', { value: text.length });
    if (!res.ok) {
      const e = json && json.error ? json.error : { code: 'HTTP_' + res.status, message: 'HTTP ' + res.status };
      throw Object.assign(new Error(e.message + ' (' + e.code + ')'), { status: res.status, code: e.code });
    }
    return json;
  }

  /** {x, y, downsampled, points} of trace `trace` with x in [x0, x1] (either may be null). */
  function range(src, x0, x1, max) {
    const q = new URLSearchParams({ trace: String(src.trace), max_points: String(max || maxPoints()) });
    if (src.env && src.env !== 'main') q.set('env', src.env);
    if (x0 != null && isFinite(x0)) q.set('x0', String(x0));
    if (x1 != null && isFinite(x1)) q.set('x1', String(x1));
    return getJson('/api/tasks/' + encodeURIComponent(src.taskId) + '/windows/' + encodeURIComponent(src.win) + '/points?' + q);
  }

  /** The whole window as the server holds it (every point). */
  function windowData(src) {
    return getJson('/task/' + encodeURIComponent(src.taskId) + '/win_data', {
      method: 'POST', headers: Object.assign(headers(), { 'Content-Type': 'application/json' }),
      body: JSON.stringify({ win: src.win, eid: src.env || 'main' }),
    });
  }

  /** True when the trace's x is numeric (or absent): /points can address it by x. */
  function numericX(t) {
    if (!Array.isArray(t.x)) return true;
    for (const v of t.x) if (v != null) return typeof v === 'number';
    return true;
  }

  /**
   * Every point of the window for a download: the traces the page holds bucketed are fetched whole
   * (/points over the whole range; /win_data when a trace has no numeric x or holds more than 1M).
   * srcOf(i) names trace i's task, env, window and index there.
   */
  async function fullWindow(win, srcOf) {
    const copy = JSON.parse(JSON.stringify(win));
    const data = (copy.content && copy.content.data) || [];
    const marks = Array.isArray(win.downsampled) ? win.downsampled : [];
    const whole = new Map();
    for (const m of marks) {
      const t = data[m.index];
      if (!t) continue;
      const src = srcOf(m.index);
      let got = null;
      if (numericX(t)) {
        got = await range(src, null, null, DOWNLOAD_MAX_POINTS);
        if (got.downsampled) got = null;
      }
      if (!got) {
        const key = src.taskId + '|' + src.env + '|' + src.win;
        if (!whole.has(key)) whole.set(key, await windowData(src));
        const w = whole.get(key);
        const st = w && w.content && w.content.data && w.content.data[src.trace];
        if (!st) throw new Error('window ' + src.win + ' has no trace ' + src.trace);
        got = { x: st.x, y: st.y };
      }
      if (Array.isArray(t.x)) t.x = got.x;
      t.y = got.y;
    }
    delete copy.downsampled;
    return copy;
  }

  VZ.points = { maxPoints, range, windowData, fullWindow, numericX, DOWNLOAD_MAX_POINTS };
})();
