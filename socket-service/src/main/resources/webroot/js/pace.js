/* The pace of live redraws: how often one live pane may be redrawn so that the page keeps its
   frame rate. Plotly redraws a whole plot on every extendTraces, so with many live panes in view
   the page chooses how often each is redrawn (new points are always applied to the model at once).
   The pace follows what the page measures in itself:
   - the cost of one live redraw (it grows when the machine is busy), so that live redraws take
     about DRAW_SHARE of the main thread;
   - strain: late animation frames and long main-thread tasks (a busy machine, a GC, a slow draw).
     Each one backs the pace off; calm brings it back (halving the excess every RECOVER_MS);
   - never slower than one redraw every MAX_REDRAW_MS: a pane in view stays live;
   - after a redraw longer than a frame, the next frame draws nothing, so the page never spends two
     frames in a row drawing. */
'use strict';
window.VZ = window.VZ || {};
(function () {
  const FRAME_MS = 1000 / 60;
  const DRAW_SHARE = 0.25; // live redraws may use about this share of the main thread
  const MIN_REDRAW_MS = 250; // a live pane is redrawn at most 4 times a second
  const MAX_REDRAW_MS = 5000; // and at least every 5 s, however busy the machine
  const COST_SAMPLES = 9; // the redraw cost is the median of the last redraws (one preempted draw is no trend)
  const DEFAULT_DRAW_MS = 10; // assumed cost of a redraw until one is measured
  const LATE_FRAME_MS = 3 * FRAME_MS; // a frame asked for and delivered this late: the page was held up
  const LONG_TASK_MS = 50; // the browser's own definition of a long task
  const BACKOFF_STEP = 1.5;
  const MAX_BACKOFF = 16;
  const RECOVER_MS = 2000; // with no strain, the backoff above 1 halves in this time

  class Pace {
    constructor() {
      this.drawMs = null; // median cost of one live redraw
      this.samples = [];
      this.backoff = 1;
      this.relaxedAt = performance.now();
      this.rafAskedAt = null;
      this.restNext = false;
      this.stats = { lateFrames: 0, longTasks: 0, rests: 0 };
      this.observeLongTasks();
    }

    /** The browser reports main-thread tasks over 50 ms (Chromium): each one is strain. */
    observeLongTasks() {
      if (!('PerformanceObserver' in window)) return;
      const types = PerformanceObserver.supportedEntryTypes || [];
      if (!types.includes('longtask')) return;
      new PerformanceObserver(list => {
        for (const e of list.getEntries()) {
          if (e.duration <= LONG_TASK_MS) continue;
          this.stats.longTasks++;
          this.strain();
        }
      }).observe({ type: 'longtask' });
    }

    strain() {
      this.relax();
      this.backoff = Math.min(MAX_BACKOFF, this.backoff * BACKOFF_STEP);
    }

    /** Brings the backoff back towards 1 for the calm time since the last call. */
    relax() {
      const now = performance.now();
      const dt = now - this.relaxedAt;
      this.relaxedAt = now;
      if (this.backoff > 1 && dt > 0) this.backoff = 1 + (this.backoff - 1) * Math.pow(0.5, dt / RECOVER_MS);
    }

    /** An animation frame was asked for (requestAnimationFrame): its delay tells whether the page is held up. */
    askedFrame() {
      // a hidden tab gets no frames: that is not strain
      if (this.rafAskedAt == null && document.visibilityState !== 'hidden') this.rafAskedAt = performance.now();
    }

    /** The asked-for frame arrived (the rAF callback's timestamp). */
    frame(ts) {
      const asked = this.rafAskedAt;
      this.rafAskedAt = null;
      if (asked != null && ts - asked > LATE_FRAME_MS) {
        this.stats.lateFrames++;
        this.strain();
      }
    }

    /** A live pane was redrawn in ms. */
    drew(ms) {
      this.samples.push(ms);
      if (this.samples.length > COST_SAMPLES) this.samples.shift();
      const sorted = this.samples.slice().sort((a, b) => a - b);
      this.drawMs = sorted[sorted.length >> 1];
      if (ms > FRAME_MS) this.restNext = true;
    }

    /** False for the frame after a long redraw: the page gives the browser that frame. */
    mayDrawLive() {
      if (!this.restNext) return true;
      this.restNext = false;
      this.stats.rests++;
      return false;
    }

    /** How long a live pane waits between redraws with inView live panes in view. */
    interval(inView) {
      this.relax();
      const share = Math.max(1, inView) * (this.drawMs == null ? DEFAULT_DRAW_MS : this.drawMs) / DRAW_SHARE;
      return Math.min(MAX_REDRAW_MS, Math.max(MIN_REDRAW_MS, share) * this.backoff);
    }

    snapshot() {
      return { drawMs: this.drawMs == null ? null : Math.round(this.drawMs * 10) / 10, backoff: Math.round(this.backoff * 100) / 100,
        lateFrames: this.stats.lateFrames, longTasks: this.stats.longTasks, rests: this.stats.rests };
    }
  }

  VZ.Pace = Pace;
})();
