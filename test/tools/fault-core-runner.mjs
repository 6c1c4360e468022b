/**
 * A child process for fault tests, so the test can SIGKILL it. Runs the TypeScript sources through
 * fault-ts-hooks.mjs (no build needed).
 *
 *   node fault-core-runner.mjs sandbox <dataDir> <mqttPort> <httpPort>
 *     starts the sandbox (demo account) and prints one JSON line: { mqtt, http, token }.
 *   node fault-core-runner.mjs core <dataDir>
 *     starts a core (no embedded sandbox, secrets in memory), prints {"ready":true}, then answers
 *     JSON lines on stdin {id, method, params} with {id, result} or {id, error} — core.call, plus
 *     "__stats" → { messages, outbox } straight from the store. Logs go to stderr.
 *
 * Bounded: the child exits when its stdin closes (the parent vanished).
 */
import { register } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

register('./fault-ts-hooks.mjs', import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [mode, dataDir, ...rest] = process.argv.slice(2);
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

if (mode === 'sandbox') {
  const { startSandbox } = await import(path.join(repo, 'electron/sandbox/index.ts'));
  const sandbox = await startSandbox({
    dataDir,
    mqttPort: Number(rest[0] ?? 0),
    mqttsPort: null,
    httpPort: Number(rest[1] ?? 0),
  });
  print({ mqtt: sandbox.urls.mqtt, http: sandbox.urls.http, token: sandbox.demo.token });
  process.stdin.resume();
  process.stdin.on('end', () => void sandbox.close().then(() => process.exit(0)));
} else if (mode === 'core') {
  const { createCore } = await import(path.join(repo, 'electron/core/core.ts'));
  const { MemorySecretStore } = await import(path.join(repo, 'electron/core/vault/index.ts'));
  const log = (level) => (m) => process.stderr.write(`${level} ${m}\n`);
  const core = await createCore(
    {
      shell: 'host',
      dataDir,
      resourcesDir: path.join(repo, 'resources'),
      secrets: new MemorySecretStore(),
      clock: { now: () => Date.now() },
      log: { info: log('info'), warn: log('warn'), error: log('error') },
    },
    { embeddedSandbox: false },
  );
  const { log: messages, outbox } = core.services;
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let frame;
    try {
      frame = JSON.parse(line);
    } catch {
      return print({ id: 0, error: 'not JSON' });
    }
    if (frame.method === '__stats') {
      const profileId = frame.params?.profileId ?? '';
      return print({ id: frame.id, result: { messages: messages.stats().count, outbox: outbox.count(profileId) } });
    }
    core.call(frame.method, frame.params).then(
      (result) => print({ id: frame.id, result }),
      (err) => print({ id: frame.id, error: err.message }),
    );
  });
  lines.on('close', () => void core.close().then(() => process.exit(0)));
  print({ ready: true });
} else {
  process.stderr.write('usage: fault-core-runner.mjs sandbox|core <dataDir> …\n');
  process.exit(2);
}
