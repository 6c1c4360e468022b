/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by file, heaviest first.
 * Usage: node test/bench/lib/cpuprofile.mjs FILE.cpuprofile [top]
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export function summarise(file, top = 25) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = prof.timeDeltas;
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map();
  const files = new Map();
  for (const [id, us] of self) {
    const f = byId.get(id).callFrame;
    const where = f.url ? f.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'nm/').replace(/.*\/dist\/electron\//, 'dist/') : '(native)';
    const key = `${f.functionName || '(anonymous)'}  ${where}:${f.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const fileKey = where.startsWith('nm/') ? where.split('/').slice(0, where.startsWith('nm/@') ? 3 : 2).join('/') : where;
    files.set(fileKey, (files.get(fileKey) ?? 0) + us);
  }
  const fmt = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `total ${(total / 1e6).toFixed(2)} s sampled\n-- by function (self)\n${fmt(fns)}\n-- by file/package (self)\n${fmt(files)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(summarise(process.argv[2], Number(process.argv[3] ?? 25)));
}
