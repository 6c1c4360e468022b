import { parseArgs } from 'node:util';
import { createCore } from '../core/core.js';
import { startHost, type HostHandle } from '../host.js';
import { createNodePlatform, rendererDir } from '../node-platform.js';

export const serveHelp = `apiary serve [--port N] [--host 127.0.0.1] [--allow-remote] [--data DIR] [--no-sandbox] [--json]
  Serves the desk to a browser on loopback and prints its URL (with a one-time access token).
  --json   print exactly one line {"url": "…"} on stdout once the desk is served (its data follows as the core starts)`;

export async function runServeCommand(argv: string[], opts: { reason?: string } = {}): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${serveHelp}\n`);
    return 0;
  }
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'allow-remote': { type: 'boolean', default: false },
      data: { type: 'string' },
      'no-sandbox': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got ${values.port}`);
  const platform = createNodePlatform('host', values.data);
  // the URL is printed and the page served while the core starts (the page's WebSocket waits for the core): the
  // browser loads the desk meanwhile, on the other core (issue 19: startup to the first reading)
  const starting = createCore(platform, { embeddedSandbox: !values['no-sandbox'] });
  starting.catch(() => undefined); // awaited below
  let host: HostHandle;
  try {
    host = await startHost({ core: starting, rendererDir, host: values.host, port, allowRemote: values['allow-remote'] });
  } catch (err) {
    await (await starting.catch(() => null))?.close();
    throw err;
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ url: host.url })}\n`);
  else {
    if (opts.reason) process.stderr.write(`${opts.reason}\n`);
    process.stdout.write(`Apiary desk: ${host.url}\n(open it in a browser; Ctrl-C to stop)\n`);
  }
  const core = await starting.catch(async (err: unknown) => {
    await host.close();
    throw err;
  });
  await waitForSignal();
  await host.close();
  await core.close();
  return 0;
}

export function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
