/* RFC 6902 JSON Patch, applied in place to the window JSON the page holds. */
'use strict';
window.VZ = window.VZ || {};
VZ.patch = (function () {
  function PatchError(msg) { const e = new Error(msg); e.name = 'PatchError'; return e; }

  function tokens(path) {
    if (path === '') return [];
    if (path[0] !== '/') throw PatchError('bad JSON pointer: ' + path);
    return path.slice(1).split('/').map(t => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  }

  function index(t, arr, forInsert) {
    if (forInsert && t === '-') return arr.length;
    if (!/^(0|[1-9][0-9]*)$/.test(t)) throw PatchError('bad array index: ' + t);
    const i = Number(t);
    if (i > arr.length || (!forInsert && i === arr.length)) throw PatchError('array index out of range: ' + t);
    return i;
  }

  function walk(doc, toks) {
    let o = doc;
    for (const t of toks) {
      if (o === null || typeof o !== 'object') throw PatchError('path not found');
      if (Array.isArray(o)) o = o[index(t, o, false)];
      else {
        if (!Object.prototype.hasOwnProperty.call(o, t)) throw PatchError('path not found: ' + t);
        o = o[t];
      }
    }
    return o;
  }

  function clone(v) { return v === undefined ? v : JSON.parse(JSON.stringify(v)); }

  function equal(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function add(root, toks, value) {
    if (toks.length === 0) return value;
    const parent = walk(root, toks.slice(0, -1));
    const last = toks[toks.length - 1];
    if (Array.isArray(parent)) parent.splice(index(last, parent, true), 0, value);
    else if (parent !== null && typeof parent === 'object') parent[last] = value;
    else throw PatchError('parent is not a container');
    return root;
  }

  function remove(root, toks) {
    if (toks.length === 0) throw PatchError('cannot remove the root');
    const parent = walk(root, toks.slice(0, -1));
    const last = toks[toks.length - 1];
    let old;
    if (Array.isArray(parent)) old = parent.splice(index(last, parent, false), 1)[0];
    else {
      if (parent === null || typeof parent !== 'object' || !Object.prototype.hasOwnProperty.call(parent, last)) {
        throw PatchError('path not found: ' + last);
      }
      old = parent[last];
      delete parent[last];
    }
    return { root, old };
  }

  /** Applies ops to doc; returns the (possibly new) root. Throws PatchError; doc may then be partly changed. */
  function apply(doc, ops) {
    let root = doc;
    for (const op of ops) {
      const toks = tokens(op.path);
      switch (op.op) {
        case 'add': root = add(root, toks, op.value); break;
        case 'remove': root = remove(root, toks).root; break;
        case 'replace':
          walk(root, toks);
          if (toks.length === 0) { root = op.value; break; }
          root = remove(root, toks).root;
          root = add(root, toks, op.value);
          break;
        case 'move': {
          const r = remove(root, tokens(op.from));
          root = add(r.root, toks, r.old);
          break;
        }
        case 'copy': root = add(root, toks, clone(walk(root, tokens(op.from)))); break;
        case 'test':
          if (!equal(walk(root, toks), op.value)) throw PatchError('test failed at ' + op.path);
          break;
        default: throw PatchError('unknown op ' + op.op);
      }
    }
    return root;
  }

  const APPEND = /^\/content\/data\/(0|[1-9][0-9]*)\/(x|y)\/(0|[1-9][0-9]*|-)$/;
  const META = /^\/(version|contentID)$/;

  /**
   * Reads a patch as pure appends when it is one (visdom's line append: replace version/contentID,
   * add x[n] and y[n] at the end of traces). Returns {trace index: {x: [...], y: [...]}} or null.
   * Must be called before the patch is applied (it compares with the current lengths).
   */
  function appendsOf(win, ops) {
    const traces = win && win.content && Array.isArray(win.content.data) ? win.content.data : null;
    if (!traces) return null;
    const out = {};
    const lengths = {};
    for (const op of ops) {
      if (META.test(op.path) && (op.op === 'replace' || op.op === 'add')) continue;
      const m = op.op === 'add' ? APPEND.exec(op.path) : null;
      if (!m) return null;
      const ti = Number(m[1]);
      const axis = m[2];
      const tr = traces[ti];
      if (!tr || !Array.isArray(tr[axis])) return null;
      const key = ti + axis;
      const len = lengths[key] !== undefined ? lengths[key] : tr[axis].length;
      if (m[3] !== '-' && Number(m[3]) !== len) return null;
      lengths[key] = len + 1;
      const e = out[ti] || (out[ti] = { x: [], y: [] });
      e[axis].push(op.value);
    }
    for (const k of Object.keys(out)) if (out[k].x.length !== out[k].y.length) return null;
    return Object.keys(out).length ? out : null;
  }

  return { apply, appendsOf, PatchError };
})();
