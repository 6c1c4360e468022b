/**
 * Coalesces work to at most one run per animation frame: events may arrive every few milliseconds,
 * the screen is painted once per frame. Hidden windows pause requestAnimationFrame, so a slow timer
 * flushes too (pending buffers are bounded either way).
 */
export function perFrame(run: () => void): () => void {
  let scheduled = false;
  const fire = () => {
    if (!scheduled) return;
    scheduled = false;
    run();
  };
  return () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(fire);
    setTimeout(fire, 500);
  };
}

/**
 * Like perFrame, but runs at most once per `minMs`: for views that change wholesale on every run (the
 * log's rows while following a flood), where repainting 60 times a second only delays the user's input.
 * A call after a quiet spell still runs on the next frame, so a single message shows at once. `minMs` may
 * be a function, asked after each run (a view can space its repaints further while it is flooded).
 */
export function perFrameAtMost(minMs: number | (() => number), run: () => void): () => void {
  let last = -Infinity;
  let gap = typeof minMs === 'number' ? minMs : 0;
  let waiting = false;
  const frame = perFrame(() => {
    last = performance.now();
    run();
    if (typeof minMs === 'function') gap = minMs();
  });
  return () => {
    if (waiting) return;
    const wait = last + gap - performance.now();
    if (wait <= 0) return frame();
    waiting = true;
    setTimeout(() => {
      waiting = false;
      frame();
    }, wait);
  };
}
