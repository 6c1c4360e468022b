// Injected into the page before the app loads (addInitScript): frame times (rAF), long tasks, and input
// latency (input event → the first frame painted after it). Plain browser JS; everything bounded.
(() => {
  const frames = [];
  const longtasks = [];
  const inputs = [];
  const events = [];
  const cap = (list, max) => {
    if (list.length > max) list.splice(0, list.length - max);
  };
  const loop = (t) => {
    frames.push(t);
    cap(frames, 40000);
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) longtasks.push({ start: e.startTime, duration: e.duration });
      cap(longtasks, 5000);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no long task API: reported as n/a
  }
  try {
    // Event Timing only reports events of 16 ms or more: a cross-check for the slow ones
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) events.push({ name: e.name, start: e.startTime, duration: e.duration });
      cap(events, 5000);
    }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  } catch {
    // unsupported
  }
  // latency as a user feels it: from the event's timestamp to just after the next frame was produced
  const measure = (e) => {
    const start = e.timeStamp;
    requestAnimationFrame(() =>
      setTimeout(() => {
        inputs.push({ type: e.type, start, latency: performance.now() - start });
        cap(inputs, 5000);
      }, 0),
    );
  };
  addEventListener('keydown', measure, true);
  addEventListener('pointerdown', measure, true);

  window.__bench = {
    now: () => performance.now(),
    collect(from, to) {
      const f = frames.filter((t) => t >= from && t <= to);
      const perSecond = [];
      for (let s = from; s + 1000 <= to; s += 1000) perSecond.push(f.filter((t) => t >= s && t < s + 1000).length);
      let worstGap = 0;
      for (let i = 1; i < f.length; i++) worstGap = Math.max(worstGap, f[i] - f[i - 1]);
      return {
        perSecond,
        worstFrameMs: worstGap,
        longtasks: longtasks.filter((t) => t.start >= from && t.start <= to),
        inputs: inputs.filter((i) => i.start >= from && i.start <= to),
        events: events.filter((e) => e.start >= from && e.start <= to),
        longtaskSupported: PerformanceObserver.supportedEntryTypes?.includes('longtask') ?? false,
      };
    },
  };
})();
