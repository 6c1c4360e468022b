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
