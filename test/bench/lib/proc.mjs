/**
 * Child processes for the bench: each speaks JSON lines on stdout, is killed when its time is up,
 * and is always stopped by the runner (no orphans: every child is tracked and stopped at exit).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(benchDir, '..', '..');
const live = new Set();

/** Starts `node <script> <json-config>`; `maxMs` bounds its life whatever happens. */
export function startChild(script, config = {}, { maxMs = 120_000, nodeArgs = [], cwd = repoRoot, args } = {}) {
  const argv = args ?? [JSON.stringify(config)];
  const proc = spawn(process.execPath, [...nodeArgs, script, ...argv], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  return track(proc, path.basename(script), maxMs);
}

/** Wraps a spawned process: JSON-line messages, bounded waits, a stop that never hangs. */
export function track(proc, name, maxMs = 120_000) {
  const messages = [];
  const waiters = new Set();
  let stderr = '';
  let buffer = '';
  let exitCode = null;
  live.add(proc);
  const killer = setTimeout(() => proc.kill('SIGKILL'), maxMs);
  killer.unref();
  proc.stdout.on('data', (chunk) => {
    buffer += chunk.toString();
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      messages.push(msg);
      for (const w of waiters) w();
    }
  });
  proc.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  proc.on('exit', (code, signal) => {
    exitCode = code ?? signal;
    clearTimeout(killer);
    live.delete(proc);
    for (const w of waiters) w();
  });
  proc.stdin?.on('error', () => undefined);

  const child = {
    name,
    proc,
    pid: proc.pid,
    messages,
    stderr: () => stderr,
    get exited() {
      return exitCode !== null;
    },
    send(obj) {
      if (proc.stdin && !proc.stdin.destroyed) proc.stdin.write(`${JSON.stringify(obj)}\n`);
    },
    /** Resolves with the first message (from `from` on) that `pred` accepts; rejects after `ms`. */
    waitFor(pred, ms, what = 'a message', from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let i = from; i < messages.length; i++) {
            if (pred(messages[i])) return finish(null, messages[i]);
          }
          if (exitCode !== null) return finish(new Error(`${name} exited (${exitCode}) before ${what}:\n${stderr.slice(-2000)}`));
        };
        const timer = setTimeout(() => finish(new Error(`${name}: no ${what} within ${ms} ms:\n${stderr.slice(-2000)}`)), ms);
        const finish = (err, value) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve(value);
        };
        waiters.add(check);
        check();
      });
    },
    /** Asks politely (stdin closes: children exit on their own and write profiles), then SIGTERM, then SIGKILL. */
    async stop(signal = 'SIGTERM', graceMs = 4000) {
      if (exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', () => r('exited')));
      proc.stdin?.end();
      if ((await Promise.race([exited, sleep(graceMs)])) === 'exited') return;
      proc.kill(signal);
      if ((await Promise.race([exited, sleep(2000)])) === 'exited') return;
      proc.kill('SIGKILL');
      await Promise.race([exited, sleep(2000)]);
    },
  };
  return child;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Last resort on exit paths: kill every child we started (by pid, never by name). */
export function killAllChildren() {
  for (const proc of live) {
    try {
      proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Resident set size of a process in MB, from /proc (Linux). */
export function rssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

