/* HTML sanitiser for text windows: an allow-list of tags and attributes; scripts, styles, frames,
   event handlers and javascript: URLs never reach the page. Parsing uses an inert document. */
'use strict';
window.VZ = window.VZ || {};
VZ.sanitize = (function () {
  const TAGS = new Set(('a abbr b blockquote br caption code col colgroup dd del div dl dt em figcaption figure '
    + 'h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub sup table tbody td '
    + 'tfoot th thead tr u ul var center font').split(' '));
  const DROP = new Set('script style iframe frame frameset object embed applet link meta base form input button textarea select option noscript template svg math'.split(' '));
  const ATTRS = new Set('href src alt title colspan rowspan align width height color size start type'.split(' '));

  function safeUrl(v, forImg) {
    const s = String(v).trim();
    if (/^(https?:|mailto:|#|\/(?!\/))/i.test(s)) return true;
    if (forImg && /^data:image\/(png|jpe?g|gif|webp|bmp);/i.test(s)) return true;
    return !/^[a-z][a-z0-9+.-]*:/i.test(s) && !s.startsWith('//');
  }

  function clean(node, out, doc) {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === Node.TEXT_NODE) { out.appendChild(doc.createTextNode(child.nodeValue)); continue; }
      if (child.nodeType !== Node.ELEMENT_NODE) continue;
      const tag = child.nodeName.toLowerCase();
      if (DROP.has(tag)) continue;
      if (!TAGS.has(tag)) { clean(child, out, doc); continue; }
      const el = doc.createElement(tag);
      for (const a of Array.from(child.attributes)) {
        const name = a.name.toLowerCase();
        if (!ATTRS.has(name)) continue;
        if ((name === 'href' || name === 'src') && !safeUrl(a.value, name === 'src')) continue;
        el.setAttribute(name, a.value);
      }
      if (tag === 'a') { el.setAttribute('target', '_blank'); el.setAttribute('rel', 'noopener noreferrer'); }
      clean(child, el, doc);
      out.appendChild(el);
    }
  }

  /** A DocumentFragment holding the sanitised HTML. */
  return function sanitize(html) {
    // a document without a browsing context: nothing in it runs or loads, and it has no CSP of its own
    // to report the handlers it holds (DOMParser's and <template>'s share the page's and report them)
    const parsed = document.implementation.createHTMLDocument('');
    parsed.body.innerHTML = String(html == null ? '' : html);
    const frag = document.createDocumentFragment();
    clean(parsed.body, frag, document);
    return frag;
  };
})();
