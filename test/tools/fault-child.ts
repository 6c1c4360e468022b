/** Drives test/tools/fault-core-runner.mjs: a sandbox or a core in a child process that a test can SIGKILL. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fault-core-runner.mjs');

export interface Child {
  process: ChildProcess;
  /** the first JSON line the child printed (its address, or {ready:true}) */
  hello: Record<string, unknown>;
  stderr(): string;
  /** SIGKILL, and wait for the exit (bounded) */
  kill(): Promise<void>;
  /** ask it to close cleanly (stdin end), SIGKILL after 5 s */
  stop(): Promise<void>;
}

export interface CoreChild extends Child {
  /** core.call in the child; rejects with the child's error text */
  call<T = unknown>(method: string, params?: unknown): Promise<T>;
}

function startChild(args: string[], startMs = 20_000): Promise<{ child: Child; lines: (listener: (value: Record<string, unknown>) => void) => void }> {
  const proc = spawn(process.execPath, [runner, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const listeners: ((value: Record<string, unknown>) => void)[] = [];
  let buffered = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const value = JSON.parse(line) as Record<string, unknown>;
      for (const l of listeners) l(value);
    }
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const waitExit = (ms: number) => Promise.race([exited, new Promise((r) => setTimeout(r, ms))]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`child ${args[0]} did not start in ${startMs / 1000} s:\n${stderr}`));
    }, startMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child ${args[0]} exited (${code}) before it was ready:\n${stderr}`));
    });
    const onFirst = (hello: Record<string, unknown>) => {
      listeners.splice(listeners.indexOf(onFirst), 1);
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      resolve({
        child: {
          process: proc,
          hello,
          stderr: () => stderr,
          async kill() {
            if (proc.exitCode !== null || proc.signalCode !== null) return;
            proc.kill('SIGKILL');
            await waitExit(5000);
          },
          async stop() {
            if (proc.exitCode !== null || proc.signalCode !== null) return;
            proc.stdin!.end();
            await waitExit(5000);
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
            await waitExit(2000);
          },
        },
        lines: (l) => listeners.push(l),
      });
    };
    listeners.push(onFirst);
  });
}

/** The sandbox in a child process; fixed ports (0 = any) so a restart can come back on the same ones. */
export async function startSandboxChild(dataDir: string, mqttPort = 0, httpPort = 0): Promise<Child & { mqtt: string; http: string; token: string }> {
  const { child } = await startChild(['sandbox', dataDir, String(mqttPort), String(httpPort)]);
  const hello = child.hello as { mqtt: string; http: string; token: string };
  return { ...child, mqtt: hello.mqtt, http: hello.http, token: hello.token };
}

/** A core in a child process (no embedded sandbox), driven over stdin/stdout. */
export async function startCoreChild(dataDir: string, startMs?: number): Promise<CoreChild> {
  const { child, lines } = await startChild(['core', dataDir], startMs);
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  lines((frame) => {
    const w = waiting.get(frame.id as number);
    if (!w) return;
    waiting.delete(frame.id as number);
    if ('error' in frame) w.reject(new Error(String(frame.error)));
    else w.resolve(frame.result);
  });
  // a killed child answers nothing more: fail what is still waiting instead of timing out
  child.process.once('exit', () => {
    for (const w of waiting.values()) w.reject(new Error('the core process exited'));
    waiting.clear();
  });
  let nextId = 1;
  return {
    ...child,
    call<T>(method: string, params: unknown = {}): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`no answer to ${method} in 15 s`));
        }, 15_000);
        waiting.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.process.stdin!.write(`${JSON.stringify({ id, method, params })}\n`);
      });
    },
  };
}
