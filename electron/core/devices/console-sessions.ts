/**
 * The desk's serial consoles: one SerialConsole per open port, by id, with what arrives sent on as
 * console.data events (hex) and an unplug as console.closed. The port is held like any other (one owner at a
 * time, serial-port.ts), so a pairing on it is refused by name while a console is open, and the other way.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, type ConsoleEntryDTO, type ConsoleStateDTO } from '../../api.js';
import type { EventBus } from '../events.js';
import { asPairingError } from '../pairing/errors.js';
import { SerialConsole, type ConsoleEntry, type ConsoleOptions, type LineEnding } from './console.js';

export interface ConsoleOpenParams {
  port: string;
  baudRate: number;
  dtr: boolean;
  rts: boolean;
  lineEnding: LineEnding;
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export class ConsoleSessions {
  private readonly open = new Map<string, SerialConsole>();

  constructor(
    private readonly bus: EventBus,
    private readonly openPort?: ConsoleOptions['openPort'],
  ) {}

  async start(p: ConsoleOpenParams): Promise<ConsoleStateDTO> {
    let konsole: SerialConsole;
    try {
      konsole = await SerialConsole.open(p.port, {
        baudRate: p.baudRate,
        dtr: p.dtr,
        rts: p.rts,
        lineEnding: p.lineEnding,
        ...(this.openPort ? { openPort: this.openPort } : {}),
      });
    } catch (err) {
      throw new ApiError('failed', asPairingError(err).message);
    }
    const consoleId = randomUUID().slice(0, 8);
    this.open.set(consoleId, konsole);
    konsole.onEntry((e) => this.bus.emit('console.data', this.dto(consoleId, e)));
    konsole.onClose((reason) => {
      if (!this.open.delete(consoleId)) return; // closed on request: console.close said so
      this.bus.emit('console.closed', {
        consoleId,
        port: p.port,
        reason: reason?.message ?? `${p.port} closed (unplugged?)`,
      });
    });
    return this.state(consoleId, konsole);
  }

  async send(consoleId: string, what: { line?: string; hex?: string }): Promise<{ sent: number }> {
    const konsole = this.get(consoleId);
    const before = konsole.log().length;
    try {
      if (what.line !== undefined) await konsole.sendLine(what.line);
      else await konsole.sendBytes(what.hex ?? '');
    } catch (err) {
      throw new ApiError('failed', asPairingError(err).message);
    }
    const sent = konsole.log().slice(before).filter((e) => e.dir === 'tx');
    return { sent: sent.reduce((n, e) => n + e.bytes.length, 0) };
  }

  async set(consoleId: string, p: { dtr?: boolean; rts?: boolean; lineEnding?: LineEnding }): Promise<ConsoleStateDTO> {
    const konsole = this.get(consoleId);
    if (p.lineEnding) konsole.ending = p.lineEnding;
    if (p.dtr !== undefined || p.rts !== undefined) {
      try {
        await konsole.setModemLines({ ...(p.dtr !== undefined ? { dtr: p.dtr } : {}), ...(p.rts !== undefined ? { rts: p.rts } : {}) });
      } catch (err) {
        throw new ApiError('failed', asPairingError(err).message);
      }
    }
    return this.state(consoleId, konsole);
  }

  log(consoleId: string): { entries: ConsoleEntryDTO[]; dropped: number } {
    const konsole = this.get(consoleId);
    return { entries: konsole.log().map((e) => this.dto(consoleId, e)), dropped: konsole.dropped };
  }

  async close(consoleId: string): Promise<boolean> {
    const konsole = this.open.get(consoleId);
    if (!konsole) return false;
    this.open.delete(consoleId);
    await konsole.close().catch(() => undefined);
    return true;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((id) => this.close(id)));
  }

  private get(consoleId: string): SerialConsole {
    const konsole = this.open.get(consoleId);
    if (!konsole) throw new ApiError('not_found', 'this console is closed (the board was unplugged, or it was closed): open it again');
    return konsole;
  }

  private state(consoleId: string, k: SerialConsole): ConsoleStateDTO {
    return { consoleId, port: k.path, baudRate: k.baudRate, ...k.modemLines, lineEnding: k.ending };
  }

  private dto(consoleId: string, e: ConsoleEntry): ConsoleEntryDTO {
    return { consoleId, at: e.at, dir: e.dir, hex: toHex(e.bytes) };
  }
}
