import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../node-platform.js';
import { runServeCommand } from './serve.js';

/**
 * `apiary start`: the Electron app where Electron can run; otherwise one line saying why, and the
 * headless host instead (same core, same UI, in a browser).
 */
export const startHelp = `apiary start [serve options]
  The desktop app (window + tray) where Electron can run. Where it cannot (no display, or no Electron binary:
  Electron downloads it on first use), says why in one line and runs \`apiary serve\` instead.
  APIARY_NO_ELECTRON=1 forces the browser desk.`;

export async function runStartCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${startHelp}\n`);
    return 0;
  }
  const why = electronUnavailable();
  if (why) return runServeCommand(argv, { reason: `Electron cannot run here (${why}): serving the desk to a browser instead.` });
  const binary = resolveElectron();
  if (typeof binary !== 'string') {
    return runServeCommand(argv, { reason: `Electron cannot run here (${binary.error}): serving the desk to a browser instead.` });
  }
  const main = path.join(packageRoot, 'dist', 'electron', 'main.js');
  const child = spawn(binary, [main, ...argv], { stdio: 'inherit' });
  const started = Date.now();
  const code = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0 && Date.now() - started < 5000) {
    return runServeCommand(argv, { reason: `Electron exited at start (code ${code}): serving the desk to a browser instead.` });
  }
  return code;
}

function electronUnavailable(): string | null {
  if (process.env.APIARY_NO_ELECTRON) return 'APIARY_NO_ELECTRON is set';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display';
  return null;
}

/**
 * The electron package downloads its binary on first use; here that download may be impossible.
 * Resolve it in a child process with a time limit so a failed or hanging download cannot block us.
 */
function resolveElectron(): string | { error: string } {
  const result = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: packageRoot,
    encoding: 'utf8',
    timeout: 120_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status === 0 && result.stdout) return result.stdout.trim();
  if (result.error) return { error: `the Electron binary could not be resolved: ${result.error.message}` };
  return { error: 'the Electron binary is not installed and could not be downloaded' };
}
