/** One toast stack at a time: the first mounted AlertToasts owns it, later ones stay empty. */
let owner: symbol | null = null;

/** Returns a release function when this instance may show toasts, or null when another one does. */
export function claimToasts(): (() => void) | null {
  if (owner) return null;
  const me = Symbol('toasts');
  owner = me;
  return () => {
    if (owner === me) owner = null;
  };
}
