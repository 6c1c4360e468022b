/**
 * Bundles the compiled main process and CLI (tsc's dist/electron) into dist/app: the main process as ES modules
 * (main.js and its chunks, for Electron), the CLI as CommonJS (cli-entry.cjs and its *.cjs chunks, started by the
 * small ES module shim cli.js) with a V8 code cache per chunk made here (v8-cache/, see electron/code-cache.cjs:
 * Node 20 caches no compiled ES modules, and compiling the bundle was a third of `apiary serve`'s CPU before the
 * desk's first reading). What ships runs from dist/app: one file per entry and a few chunks start faster than
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
import { execFileSync } from 'node:child_process';
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

const bundle = (input, format, ext, codeSplitting = true) =>
  build({
    input,
    platform: 'node',
    external: isExternal,
    logLevel: 'warn',
    output: {
      dir: to,
      format,
      entryFileNames: `[name].${ext}`,
      // chunks beside the entries: a file that finds its neighbours by import.meta.url (the store's worker) still does
      chunkFileNames: `[name]-[hash].${ext}`,
      sourcemap: true,
      // licences stay; JSDoc goes (the sources and the source maps keep it): smaller files to read at startup
      comments: { legal: true, annotation: false, jsdoc: false },
      codeSplitting,
    },
  });

fs.rmSync(to, { recursive: true, force: true });
await bundle({ main: path.join(from, 'main.js') }, 'esm', 'js');
// what the entry imports itself gets a chunk of its own: inlined into the entry, the command chunks would require
// the entry back (a cycle, and the build's cache pass could not load a chunk without running the CLI)
await bundle({ 'cli-entry': path.join(from, 'cli.js') }, 'cjs', 'cjs', {
  groups: [{ name: 'version', test: /[\\/]core[\\/]version\.js$/ }],
});
// the CLI's entry stays dist/app/cli.js (package.json's bin): an ES module (the package's type) that loads the
// CommonJS bundle through the code cache
fs.copyFileSync(path.join(root, 'electron', 'code-cache.cjs'), path.join(to, 'code-cache.cjs'));
fs.writeFileSync(
  path.join(to, 'cli.js'),
  `#!/usr/bin/env node
// apiary: the CLI bundle (cli-entry.cjs) through V8's code cache; written by scripts/bundle-core.mjs
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./code-cache.cjs').run('./cli-entry.cjs');
`,
);
// the store's writer thread is a plain CommonJS file started by path, never imported: copied beside its caller
fs.copyFileSync(path.join(from, 'core', 'store', 'writer-worker.cjs'), path.join(to, 'writer-worker.cjs'));
fs.chmodSync(path.join(to, 'cli.js'), 0o755);
// the code cache, made by this Node (the one that runs the CLI; another V8 rejects it and compiles as usual)
const cached = JSON.parse(
  execFileSync(
    process.execPath,
    ['-e', `process.stdout.write(JSON.stringify(require(${JSON.stringify(path.join(to, 'code-cache.cjs'))}).writeCaches()))`],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  ),
);
const count = (ext) => fs.readdirSync(to).filter((f) => f.endsWith(ext)).length;
console.log(
  `bundled ${path.relative(root, from)} into ${path.relative(root, to)}: ${count('.js')} ES module files (main), ${count('.cjs')} CommonJS (CLI), code cache for ${cached.files} chunks (${Math.round(cached.bytes / 1024)} KiB)`,
);
