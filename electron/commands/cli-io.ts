/**
 * What every command shares: its I/O (replaceable by tests and embedders), one way to parse flags, and uniform
 * errors — each failure one line on stderr and an exit code (2 bad usage, 1 did not work, 3 timed out).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BeebotteRestError } from '../core/beebotte/rest-client.js';
import type { SecretStore } from '../core/platform.js';
import { VaultError } from '../core/vault/index.js';

export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: NodeJS.ProcessEnv;
  /** Aborting it stops a running `sub` like Ctrl-C does (tests, embedders). */
  signal?: AbortSignal;
  /** The keychain; the OS keychain through keytar unless a test or embedder gives another store. */
  secrets?: SecretStore;
}

export function resolveIo(io: Partial<CommandIo> = {}): CommandIo {
  return {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    stdin: io.stdin ?? process.stdin,
    env: io.env ?? process.env,
    ...(io.signal ? { signal: io.signal } : {}),
    ...(io.secrets ? { secrets: io.secrets } : {}),
  };
}

/** An error the user can act on; `exitCode` 2 = bad usage, 1 = it did not work, 3 = timed out. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Runs a command body: prints `--help`, turns every failure into one line on stderr and an exit code. */
export async function runCli(
  name: string,
  help: string,
  argv: string[],
  io: CommandIo,
  body: () => Promise<number>,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${help}\n`);
    return 0;
  }
  try {
    return await body();
  } catch (err) {
    const { message, code } = explain(err);
    io.stderr.write(`apiary ${name}: ${message}${code === 2 ? `\n(apiary ${name} --help shows the options)` : ''}\n`);
    return code;
  }
}

function explain(err: unknown): { message: string; code: number } {
  if (err instanceof CliError) return { message: err.message, code: err.exitCode };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return { message: (err as Error).message, code: 2 };
  if (err instanceof BeebotteRestError || err instanceof VaultError) return { message: err.message, code: 1 };
  return { message: err instanceof Error ? err.message : String(err), code: 1 };
}

/** node:util parseArgs, strict, with positionals. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
}

/**
 * node:util parseArgs, strict, flags only, for the commands that take no positional words (flash, provision, console…):
 * an unknown flag or a stray word is bad usage, in node's words — they name the flag, never its value.
 */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true }).values;
  } catch (e) {
    throw usage((e as Error).message);
  }
}

/** Bad usage when words are left over after the ones a command takes. */
export function noMoreArgs(extra: readonly string[]): void {
  if (extra.length) throw usage(`unexpected argument "${extra[0]!.slice(0, 40)}"`);
}

/**
 * The action word if it is one of `actions`, else bad usage naming them: "say what to do: list, create or
 * delete" when there is none, `unknown action "x": use …` when it is another word.
 */
export function actionOf<A extends string>(word: string | undefined, actions: readonly A[], listed = orList(actions)): A {
  if (word && (actions as readonly string[]).includes(word)) return word as A;
  throw usage(word ? `unknown action "${word.slice(0, 40)}": use ${listed}` : `say what to do: ${listed}`);
}

/** "a, b or c" */
function orList(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

export function usage(message: string): CliError {
  return new CliError(message, 2);
}

/** Reads stdin to its end (bounded) and returns the first line, trimmed: `echo $TOKEN | apiary … --token-stdin`. */
export async function readStdinLine(stdin: NodeJS.ReadableStream, what: string): Promise<string> {
  const limit = 64 * 1024;
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.length > limit) throw new CliError(`${what} on stdin is longer than ${limit} bytes`);
  }
  const line = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (!line) throw new CliError(`${what} was expected on stdin, but stdin was empty`);
  return line;
}

/** JSON on one line for --json; pretty output is the human mode's job. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
