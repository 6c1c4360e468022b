/**
 * The serial console's part of the contract: what the desk may ask (open a port, send a line or hex bytes,
 * set DTR/RTS and the line ending, read the log, close) and what it hears (data, closed). Bytes cross as
 * lower-case hex so the renderer can show them as text or hex without guessing an encoding.
 */
import { z } from 'zod';
import { id } from './primitives.js';

/** a console's id: the contract's id rule */
const consoleId = id;
export const LineEndingName = z.enum(['none', 'lf', 'cr', 'crlf']);

export const consoleMethodParams = {
  'console.open': z
    .object({
      port: z.string().min(1).max(512),
      baudRate: z.number().int().min(300).max(3_000_000).default(115200),
      dtr: z.boolean().default(false),
      rts: z.boolean().default(false),
      lineEnding: LineEndingName.default('lf'),
    })
    .strict(),
  'console.send': z
    .object({
      consoleId,
      /** a line (the line ending is added) or hex bytes ("01 a0 ff"): exactly one */
      line: z.string().max(4096).optional(),
      hex: z.string().min(1).max(16384).optional(),
    })
    .strict()
    .refine((p) => (p.line === undefined) !== (p.hex === undefined), { message: 'give either a line or hex bytes' }),
  'console.set': z.object({ consoleId, dtr: z.boolean().optional(), rts: z.boolean().optional(), lineEnding: LineEndingName.optional() }).strict(),
  'console.log': z.object({ consoleId }).strict(),
  'console.close': z.object({ consoleId }).strict(),
};

export interface ConsoleStateDTO {
  consoleId: string;
  port: string;
  baudRate: number;
  dtr: boolean;
  rts: boolean;
  lineEnding: z.infer<typeof LineEndingName>;
}

export interface ConsoleEntryDTO {
  consoleId: string;
  /** ms since epoch */
  at: number;
  dir: 'rx' | 'tx';
  /** the bytes, lower-case hex without spaces */
  hex: string;
}

export interface ConsoleMethodResults {
  'console.open': ConsoleStateDTO;
  'console.send': { sent: number };
  'console.set': ConsoleStateDTO;
  /** the bounded log, oldest first, and how many older entries it dropped */
  'console.log': { entries: ConsoleEntryDTO[]; dropped: number };
  'console.close': { closed: boolean };
}

export interface ConsoleEvents {
  'console.data': ConsoleEntryDTO;
  /** the port went away (unplugged) or was closed; `reason` when it was not asked for */
  'console.closed': { consoleId: string; port: string; reason?: string };
}
