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
 * A call after a quiet spell still runs on the next frame, so a single message shows at once.
 */
export function perFrameAtMost(minMs: number, run: () => void): () => void {
  let last = -Infinity;
  let waiting = false;
  const frame = perFrame(() => {
    last = performance.now();
    run();
  });
  return () => {
    if (waiting) return;
    const wait = last + minMs - performance.now();
    if (wait <= 0) return frame();
    waiting = true;
    setTimeout(() => {
      waiting = false;
      frame();
    }, wait);
  };
}
