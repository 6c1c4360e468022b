/**
 * The embedded sandbox broker (aedes with Beebotte's rules) alone in its own process, as Mosquitto is.
 * Prints {"type":"ready","mqtt","token"} (the demo channel token; the bench never logs it elsewhere).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { coreModules } from '../lib/dist.mjs';

setTimeout(() => process.exit(3), 600_000).unref();
const { startSandbox } = await coreModules();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-bench-sandbox-'));
const sandbox = await startSandbox({ dataDir, mqttPort: 0, mqttsPort: null, httpPort: 0 });
process.stdout.write(`${JSON.stringify({ type: 'ready', mqtt: sandbox.urls.mqtt, token: sandbox.demo.token })}\n`);
process.stdin.on('end', async () => {
  await sandbox.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
process.stdin.resume();
