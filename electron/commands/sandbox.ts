/**
 * `apiary sandbox [--mqtt-port N] [--mqtts-port N|off] [--http-port N] [--data DIR] [--seed FILE] [--json]`
 * Runs the Beebotte-compatible sandbox until SIGINT/SIGTERM. Standalone defaults: MQTT 1883, MQTT/TLS 8883,
 * HTTP (REST + WebSocket) 8080, data in ~/.apiary/sandbox. With --json, exactly one JSON line goes to
 * stdout once every listener is ready; human text always goes to stderr.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type SandboxOptions, loadSeedFile, startSandbox } from '../sandbox/index.js';

export interface SandboxCommandIo {
  /** Stops the sandbox when aborted (instead of SIGINT/SIGTERM); used by tests and embedders. */
  signal?: AbortSignal;
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
}

interface Parsed {
  mqttPort: number;
  mqttsPort: number | null;
  httpPort: number;
  dataDir: string;
  seedPath?: string;
  json: boolean;
}

const USAGE =
  'usage: apiary sandbox [--mqtt-port N] [--mqtts-port N|off] [--http-port N] [--data DIR] [--seed FILE] [--json]\n' +
  '  defaults: --mqtt-port 1883 --mqtts-port 8883 --http-port 8080 --data ~/.apiary/sandbox; 0 = any free port';

export function parseSandboxArgs(argv: string[]): Parsed | string {
  const out: Parsed = {
    mqttPort: 1883,
    mqttsPort: 8883,
    httpPort: 8080,
    dataDir: join(homedir(), '.apiary', 'sandbox'),
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = (): string | null => inline ?? argv[++i] ?? null;
    switch (flag) {
      case '--json':
        out.json = true;
        break;
      case '--mqtt-port':
      case '--http-port': {
        const port = parsePort(value());
        if (port === null) return `${flag} needs a port number from 0 to 65535`;
        if (flag === '--mqtt-port') out.mqttPort = port;
        else out.httpPort = port;
        break;
      }
      case '--mqtts-port': {
        const v = value();
        if (v === 'off') {
          out.mqttsPort = null;
          break;
        }
        const port = parsePort(v);
        if (port === null) return '--mqtts-port needs a port number from 0 to 65535, or off';
        out.mqttsPort = port;
        break;
      }
      case '--data': {
        const v = value();
        if (!v) return '--data needs a directory';
        out.dataDir = v;
        break;
      }
      case '--seed': {
        const v = value();
        if (!v) return '--seed needs a JSON file';
        out.seedPath = v;
        break;
      }
      default:
        return `unknown option ${arg.slice(0, 40)}`;
    }
  }
  return out;
}

function parsePort(value: string | null): number | null {
  if (value === null || !/^\d{1,5}$/.test(value)) return null;
  const n = Number(value);
  return n <= 65535 ? n : null;
}

export async function runSandboxCommand(argv: string[], io: SandboxCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const stderr = io.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  const parsed = parseSandboxArgs(argv);
  if (typeof parsed === 'string') {
    stderr(`apiary sandbox: ${parsed}\n${USAGE}`);
    return 2;
  }

  const options: SandboxOptions = {
    dataDir: parsed.dataDir,
    mqttPort: parsed.mqttPort,
    mqttsPort: parsed.mqttsPort,
    httpPort: parsed.httpPort,
    log: (line) => stderr(line),
  };
  let handle;
  try {
    if (parsed.seedPath) options.seed = loadSeedFile(parsed.seedPath);
    handle = await startSandbox(options);
  } catch (err) {
    stderr(`apiary sandbox: ${(err as Error).message}`);
    return 1;
  }

  const ready: Record<string, unknown> = { ...handle.urls, ca: handle.caPath };
  if (!handle.urls.mqtts) ready.mqtts = null;
  if (handle.demo) ready.demo = handle.demo;
  if (parsed.json) stdout(JSON.stringify(ready));
  stderr(`Apiary sandbox ready (data in ${parsed.dataDir})`);
  stderr(`  MQTT       ${handle.urls.mqtt}`);
  if (handle.urls.mqtts) stderr(`  MQTT/TLS   ${handle.urls.mqtts}   (trust the CA in ${handle.caPath})`);
  stderr(`  REST       ${handle.urls.http}/v1`);
  stderr(`  WebSocket  ${handle.urls.ws}   (socket.io, Engine.IO v3 accepted)`);
  if (handle.demo && !parsed.json) {
    // the demo account is local and throwaway: printing its credentials is what makes it usable
    stderr(`  demo account: owner demo, channel demo (resources temperature, humidity)`);
    stderr(`    channel token ${handle.demo.token}`);
    stderr(`    API key ${handle.demo.apiKey}  secret key ${handle.demo.secretKey}`);
  }
  stderr('Press Ctrl+C to stop.');

  await waitForStop(io.signal);
  stderr('apiary sandbox: stopping…');
  await handle.close();
  return 0;
}

function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal) {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      return;
    }
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
