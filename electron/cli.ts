#!/usr/bin/env node
/**
 * `apiary` — one command line for the same core: start, serve, sandbox, pub, sub, provision, devices, profiles.
 * Each subcommand lives in commands/; this file only dispatches.
 */
import { appVersion } from './core/version.js';

const version = appVersion();

const HELP = `Apiary ${version} — a desk and tray for Beebotte's MQTT service

Usage: apiary <command> [options]

  start                 the desktop app (falls back to \`serve\` where Electron cannot run)
  serve                 serve the desk to a browser on 127.0.0.1 (--json prints {"url": …})
  sandbox               run the Beebotte-compatible sandbox server (MQTT, TLS, REST v1, WebSocket)
  pub <topic> <data>    publish a message
  sub <topic…>          subscribe and print messages
  retained clear <filter>  clear the retained messages of a topic or subtree (generic brokers)
  profiles              list|add|remove|show connection profiles (secrets in the OS keychain)
  channels              list|create|delete Beebotte channels (REST)
  resources             list|create|delete resources of a channel (REST)
  token                 get|regenerate a channel token (REST)
  connections           list|drop|watch who is connected to a Beebotte account (REST, signaling)
  rules                 list|create|enable|disable|invoke|delete Beerules (REST; they run in the cloud)
  iam                   list|show|create|revoke IAM tokens (REST)
  read <ch/res>         a resource's stored records or hourly/daily statistics (REST)
  devices               list serial ports and recognized boards
  outbox                dead-letters|retry|discard: queued messages the broker kept refusing
  provision             provision a board over USB serial (Wi-Fi + Beebotte credentials)
  flash                 write firmware to an ESP board over USB serial (before provision)
  console               a serial console on any port (baud, DTR/RTS, hex, a saved log)

  apiary <command> --help   options of a command
  apiary --version`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./commands/start.js')).runStartCommand,
  serve: async () => (await import('./commands/serve.js')).runServeCommand,
  sandbox: async () => (await import('./commands/sandbox.js')).runSandboxCommand,
  pub: async () => (await import('./commands/pub.js')).runPubCommand,
  sub: async () => (await import('./commands/sub.js')).runSubCommand,
  retained: async () => (await import('./commands/retained.js')).runRetainedCommand,
  profiles: async () => (await import('./commands/profiles.js')).runProfilesCommand,
  channels: async () => (await import('./commands/channels.js')).runChannelsCommand,
  resources: async () => (await import('./commands/resources.js')).runResourcesCommand,
  token: async () => (await import('./commands/token.js')).runTokenCommand,
  connections: async () => (await import('./commands/connections.js')).runConnectionsCommand,
  rules: async () => (await import('./commands/rules.js')).runRulesCommand,
  iam: async () => (await import('./commands/iam.js')).runIamCommand,
  read: async () => (await import('./commands/read.js')).runReadCommand,
  devices: async () => (await import('./commands/devices.js')).runDevicesCommand,
  outbox: async () => (await import('./commands/outbox.js')).runOutboxCommand,
  flash: async () => (await import('./commands/flash.js')).runFlashCommand,
  console: async () => (await import('./commands/console.js')).runConsoleCommand,
  provision: async () => {
    const { runProvisionCommand } = await import('./commands/provision.js');
    const { resolveProfileForDevice } = await import('./commands/profile-resolver.js');
    return (argv) => runProvisionCommand(argv, { resolveProfile: resolveProfileForDevice });
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`apiary: unknown command "${name}"\n\n${HELP}\n`);
    return 2;
  }
  const run = await load();
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`apiary: ${message}\n`);
    process.exit(1);
  },
);
