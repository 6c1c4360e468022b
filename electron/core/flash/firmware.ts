/**
 * What to write: a plain `.bin` at one offset, or an ESP Web Tools manifest
 * (`{ name, version, builds: [{ chipFamily, parts: [{ path, offset }] }] }`, paths relative to the manifest)
 * whose build is chosen once the chip is known. Everything is read and checked before the port is opened,
 * so a typo never leaves a board half-written.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FlashError } from './errors.js';

export interface FirmwarePart {
  /** the file it came from, for messages */
  file: string;
  offset: number;
  data: Uint8Array;
}

export interface FirmwareBuild {
  /** ESP Web Tools' chip family, as esptool-js names chips too: ESP32, ESP32-S3, ESP32-C3, ESP8266… */
  chipFamily: string;
  parts: FirmwarePart[];
}

export type Firmware =
  | { kind: 'bin'; name: string; parts: FirmwarePart[] }
  | { kind: 'manifest'; name: string; version?: string; builds: FirmwareBuild[] };

/** A flash this large is beyond any ESP part; a bigger file is not firmware. */
const MAX_IMAGE = 64 * 1024 * 1024;

export function parseOffset(text: string): number {
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n >= MAX_IMAGE) {
    throw new FlashError('firmware', `offset "${text}" is not a flash address (e.g. 0x0, 0x10000 or 65536)`);
  }
  return n;
}

async function readImage(file: string): Promise<Uint8Array> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FlashError(
      'firmware',
      code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file}: ${(e as Error).message}`,
    );
  }
  if (data.length === 0) throw new FlashError('firmware', `${file} is empty`);
  if (data.length > MAX_IMAGE) throw new FlashError('firmware', `${file} is ${data.length} bytes: too large for an ESP flash`);
  return new Uint8Array(data);
}

/** A `.bin` (at `offset`, default 0x0) or a manifest (`.json`), read and checked. */
export async function loadFirmware(file: string, offset = 0): Promise<Firmware> {
  if (file.toLowerCase().endsWith('.json')) return loadManifest(file);
  return { kind: 'bin', name: path.basename(file), parts: [{ file, offset, data: await readImage(file) }] };
}

interface ManifestJson {
  name?: unknown;
  version?: unknown;
  builds?: unknown;
}

async function loadManifest(file: string): Promise<Firmware> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FlashError('firmware', code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file}: ${code ?? 'error'}`);
  }
  let json: ManifestJson;
  try {
    json = JSON.parse(text) as ManifestJson;
  } catch {
    // never the parser's message: it quotes the file, and the path may name any file (the message reaches the desk)
    throw new FlashError('firmware', `${file} is not valid JSON: an ESP Web Tools manifest is a JSON file`);
  }
  const bad = (why: string) => new FlashError('firmware', `${file} is not an ESP Web Tools manifest: ${why}`);
  if (!json || typeof json !== 'object' || !Array.isArray(json.builds) || json.builds.length === 0) {
    throw bad('it needs a "builds" list');
  }
  const dir = path.dirname(file);
  const builds: FirmwareBuild[] = [];
  for (const [i, b] of (json.builds as unknown[]).entries()) {
    const build = b as { chipFamily?: unknown; parts?: unknown };
    if (typeof build?.chipFamily !== 'string' || !Array.isArray(build.parts) || build.parts.length === 0) {
      throw bad(`build ${i + 1} needs a "chipFamily" and a "parts" list`);
    }
    const parts: FirmwarePart[] = [];
    for (const p of build.parts as unknown[]) {
      const part = p as { path?: unknown; offset?: unknown };
      if (typeof part?.path !== 'string' || (typeof part.offset !== 'number' && typeof part.offset !== 'string')) {
        throw bad(`each part of ${build.chipFamily} needs a "path" and an "offset"`);
      }
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(part.path)) {
        throw new FlashError(
          'firmware',
          `${part.path} is a URL: download the files next to the manifest and name them by relative path`,
        );
      }
      const offset = typeof part.offset === 'number' ? part.offset : parseOffset(part.offset);
      if (!Number.isSafeInteger(offset) || offset < 0) throw bad(`offset ${String(part.offset)} of ${part.path}`);
      const partFile = path.resolve(dir, part.path);
      // a manifest names files beside it: never one elsewhere on this machine (a key, a token) to write to a board
      const inside = path.relative(dir, partFile);
      if (!inside || inside.startsWith('..') || path.isAbsolute(inside)) {
        throw bad(`part ${part.path} is not in the manifest's folder: name the files beside it by relative path`);
      }
      parts.push({ file: partFile, offset, data: await readImage(partFile) });
    }
    builds.push({ chipFamily: build.chipFamily, parts });
  }
  return {
    kind: 'manifest',
    name: typeof json.name === 'string' ? json.name : path.basename(file),
    ...(typeof json.version === 'string' ? { version: json.version } : {}),
    builds,
  };
}

/** The parts to write on a chip: the `.bin` as given, or the manifest build for this chip family. */
export function partsForChip(firmware: Firmware, chip: string): FirmwarePart[] {
  if (firmware.kind === 'bin') return firmware.parts;
  const norm = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const build = firmware.builds.find((b) => norm(b.chipFamily) === norm(chip));
  if (!build) {
    const offered = firmware.builds.map((b) => b.chipFamily).join(', ');
    throw new FlashError(
      'chip',
      `${firmware.name} has no build for ${chip} (it has ${offered}): pick the firmware made for this board`,
    );
  }
  return build.parts;
}
