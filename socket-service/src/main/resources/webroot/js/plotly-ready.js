// Tells the page when Plotly (loaded async) is there: at once if it already is, else on its load
// event. A file of its own rather than an inline onload handler, which the page's CSP forbids.
(function () {
  'use strict';
  function ready() {
    if (window.VZ && VZ.onPlotly) VZ.onPlotly();
  }
  if (window.Plotly) {
    ready();
  } else {
    document.getElementById('plotly-js').addEventListener('load', ready);
  }
})();
