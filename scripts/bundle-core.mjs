/**
 * Bundles the compiled main process and CLI (tsc's dist/electron) into dist/app: two entries, main.js and cli.js,
 * and the chunks they share. What ships runs from dist/app: one file per entry and a few chunks start faster than
 * ~220 compiled modules plus every dependency's own files, each resolved, read and linked one by one (the core was
 * ~850 ms of module loading before its first reading; see test/bench/README.md).
 *
 * Kept external, loaded from node_modules as before: native addons (keytar, serialport, libsql), `electron`
 * (provided by the app), and the libraries the core loads lazily by name on first use (createRequire or import():
 * a bundler cannot follow those, and bundling them would load them at startup again).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const from = path.join(root, 'dist', 'electron');
const to = path.join(root, 'dist', 'app');

const EXTERNAL = [
  'electron',
  'keytar',
  'serialport',
  /^@serialport\//,
  'libsql',
  /^@libsql\//,
  'esptool-js',
  'cbor-x',
  '@msgpack/msgpack',
  'protobufjs',
  'node-forge',
  // ws's optional native speed-ups: required in a try/catch, absent here
  'bufferutil',
  'utf-8-validate',
];
const isExternal = (id) =>
  id.startsWith('node:') || EXTERNAL.some((e) => (typeof e === 'string' ? id === e || id.startsWith(`${e}/`) : e.test(id)));

fs.rmSync(to, { recursive: true, force: true });
await build({
  input: { main: path.join(from, 'main.js'), cli: path.join(from, 'cli.js') },
  platform: 'node',
  external: isExternal,
  logLevel: 'warn',
  output: {
    dir: to,
    format: 'esm',
    entryFileNames: '[name].js',
    // chunks beside the entries: a file that finds its neighbours by import.meta.url (the store's worker) still does
    chunkFileNames: '[name]-[hash].js',
    sourcemap: true,
    // licences stay; JSDoc goes (the sources and the source maps keep it): smaller files to read at startup
    comments: { legal: true, annotation: false, jsdoc: false },
  },
});
// the store's writer thread is a plain CommonJS file started by path, never imported: copied beside its caller
fs.copyFileSync(path.join(from, 'core', 'store', 'writer-worker.cjs'), path.join(to, 'writer-worker.cjs'));
fs.chmodSync(path.join(to, 'cli.js'), 0o755);
console.log(`bundled ${path.relative(root, from)} into ${path.relative(root, to)}: ${fs.readdirSync(to).filter((f) => f.endsWith('.js')).length} files`);
