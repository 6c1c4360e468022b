// The CLI (`apiary serve`, the other commands) runs from a CommonJS bundle whose chunks are compiled with V8 code
// caches made at build time (scripts/bundle-core.mjs). Why: Node 20 has no compile cache for ES modules
// (module.enableCompileCache came in Node 22), and compiling the ~4 MB of bundled JavaScript was a third of the
// host's CPU before the desk's first reading (issue 19). With the cache, V8 deserializes the compiled code instead
// of parsing it again: measured ~385 ms of CPU to load the serve command's modules as ES modules, ~315 ms as
// CommonJS, ~225 ms as CommonJS with the cache.
// Plain CommonJS on purpose: it must be loaded before any chunk it compiles, by the ESM shim dist/app/cli.js.
//
// Safe by construction: only chunks whose name carries rolldown's content hash are cached, and each cache file is
// named by its chunk's content too (a changed chunk never meets an old cache), the build empties dist/app, and V8 itself rejects a cache made by
// another V8 version or other flags (then the chunk is compiled as usual). A chunk with an import() (a library
// loaded on first use: serialport, esptool-js) is compiled as usual too: in Node 20 a vm.Script restored from a
// cache made in another process loses its dynamic-import callback ("A dynamic import callback was not specified").
// Electron's main process is an ES module bundle and never comes here.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const CACHE_DIR = path.join(__dirname, 'v8-cache');
/** content-hashed chunk names (rolldown's [name]-[hash].cjs) */
const HASHED_CHUNK = /-[\w-]{8}\.cjs$/;

/** Routes this directory's hashed chunks through vm.Script with their cache; `onCompiled` sees each script. */
function install(onCompiled) {
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename) {
    const cacheable = path.dirname(filename) === __dirname && HASHED_CHUNK.test(filename) && !content.includes('import(');
    if (!cacheable) return compile.call(this, content, filename);
    // named by the chunk's content: V8 checks a cache against the source's length only, so a chunk changed in
    // place (same name, same length) would otherwise run its old compiled code
    const digest = crypto.createHash('sha1').update(content).digest('hex').slice(0, 16);
    const cacheFile = path.join(CACHE_DIR, `${path.basename(filename)}.${digest}.bin`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined; // no cache for this chunk: compiled as usual
    }
    // the same wrapper Node puts around a CommonJS module
    const wrapped = `(function (exports, require, module, __filename, __dirname) { ${content}\n});`;
    const script = new vm.Script(wrapped, { filename, cachedData });
    if (onCompiled) onCompiled(script, cacheFile);
    const moduleFunction = script.runInThisContext({ displayErrors: true });
    return moduleFunction.call(this.exports, this.exports, requireFor(this), this, filename, __dirname);
  };
}

function requireFor(mod) {
  const require = (id) => mod.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  require.cache = Module._cache;
  require.main = process.mainModule;
  return require;
}

/** Runs a CommonJS entry of this directory (`./cli-entry.cjs`) with the code cache. */
function run(entry) {
  install();
  require(entry);
}

/**
 * At build time: loads every hashed chunk (their top-level code runs, as it does when the CLI starts) and writes
 * each chunk's code cache, which then holds the functions that ran too. A chunk that cannot load outside its
 * command (none today) is left without a cache.
 */
function writeCaches() {
  const scripts = [];
  install((script, cacheFile) => scripts.push({ script, cacheFile }));
  for (const file of fs.readdirSync(__dirname).filter((f) => HASHED_CHUNK.test(f))) {
    try {
      require(path.join(__dirname, file));
    } catch (err) {
      process.stderr.write(`code cache: ${file} not cached (${err.message})\n`);
    }
  }
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  let bytes = 0;
  for (const { script, cacheFile } of scripts) {
    const data = script.createCachedData();
    fs.writeFileSync(cacheFile, data);
    bytes += data.length;
  }
  return { files: scripts.length, bytes };
}

module.exports = { run, writeCaches };
