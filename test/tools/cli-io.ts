/** What a CLI command test hands a command: captured stdout/stderr, a given stdin, an empty environment. */
import { Readable } from 'node:stream';
import type { CommandIo } from '../../electron/commands/cli-io.js';

export interface CapturedIo {
  io: Partial<CommandIo>;
  out: { stdout: string; stderr: string };
}

/** `stdin` is text (one chunk) or a stream; `extra` overrides any part of the io (env, secrets…). */
export function captureIo(extra: Partial<CommandIo> = {}, stdin: string | NodeJS.ReadableStream = ''): CapturedIo {
  const out = { stdout: '', stderr: '' };
  const io: Partial<CommandIo> = {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    stdin: typeof stdin === 'string' ? Readable.from(stdin ? [stdin] : []) : stdin,
    env: {},
    ...extra,
  };
  return { io, out };
}
