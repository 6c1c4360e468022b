// Module resolution hook: 'electron' is the recording stand-in, everything else resolves as usual.
const standIn = new URL('./electron-standin.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: standIn, shortCircuit: true, format: 'module' };
  return nextResolve(specifier, context);
}
