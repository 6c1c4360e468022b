#!/usr/bin/env node
// A simulated ESP serial ROM loader (download mode) on a serial port, for `apiary flash` tests on the B side
// of a socat pty pair. It speaks the protocol as Espressif documents it (esptool "Serial Protocol"):
//   SLIP framing (0xC0 ends, 0xDB 0xDC / 0xDB 0xDD escapes); request [0x00, op, len u16, checksum u32, data];
//   response [0x01, op, len u16, value u32, data…, status, error].
//   SYNC 0x08 (the ROM answers eight times), READ_REG 0x0A (the chip-detect magic at 0x40001000),
//   WRITE_REG 0x09, SPI_ATTACH 0x0D, SPI_SET_PARAMS 0x0B, CHANGE_BAUDRATE 0x0F,
//   MEM_BEGIN/MEM_DATA/MEM_END 0x05/0x07/0x06 (the flasher stub upload: after MEM_END it answers "OHAI" and
//   behaves as the stub from then on), FLASH_BEGIN/FLASH_DATA/FLASH_END 0x02/0x03/0x04,
//   FLASH_DEFL_BEGIN/DATA/END 0x10/0x11/0x12 (zlib), SPI_FLASH_MD5 0x13 (ROM: 32 hex characters; stub: 16
//   bytes), ERASE_FLASH 0xD0 / ERASE_REGION 0xD1 (stub only). A data block whose checksum (0xEF XOR every
//   byte) does not match is refused (ROM error 0x07, stub 0xC1); unknown commands get error 0x05, which
//   esptool reads as "unsupported" (GET_SECURITY_INFO 0x14 on an ESP32 or ESP8266).
// Flags: --port PATH (required)  --chip esp32|esp8266 (default esp32)  --flash-size BYTES (default 4 MiB)
//        --dump FILE (the flash contents up to the highest byte written, rewritten after every flash end
//          and MD5 request)  --corrupt-at OFFSET (fault tests: the byte at OFFSET is flipped as it is
//          written, as a failing flash chip or a line error behind the checksum would)
//        --preload OFFSET:FILE (flash holding something already, e.g. an old image; repeatable)
//        --die-at flash-data (fault tests: exit abruptly at the second data block: the board is unplugged)
// Prints "rom-sim: ready on PATH" once the port is open; "rom-sim: wrote N bytes at 0xADDR" after each
// flash end. Exits on SIGTERM/SIGINT or when the port closes.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { inflateSync } from 'node:zlib';
import { SerialPort } from 'serialport';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    chip: { type: 'string', default: 'esp32' },
    'flash-size': { type: 'string', default: String(4 * 1024 * 1024) },
    dump: { type: 'string' },
    'corrupt-at': { type: 'string' },
    'die-at': { type: 'string' },
    preload: { type: 'string', multiple: true },
  },
});
const MAGIC = { esp32: 0x00f01d83, esp8266: 0xfff0c101 };
if (!args.port || !(args.chip in MAGIC)) {
  process.stderr.write('rom-sim: usage: --port PATH [--chip esp32|esp8266] [--dump FILE] [--corrupt-at N]\n');
  process.exit(2);
}

const OP = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  ERASE_FLASH: 0xd0,
  ERASE_REGION: 0xd1,
};
const ERR = { INVALID_MSG: 0x05, FAILED: 0x06, BAD_CRC_ROM: 0x07, BAD_CRC_STUB: 0xc1 };
const CHIP_DETECT_MAGIC_REG = 0x40001000;

const flash = Buffer.alloc(Number(args['flash-size']), 0xff);
const corruptAt = args['corrupt-at'] === undefined ? -1 : Number(args['corrupt-at']);
let highest = 0;
for (const spec of args.preload ?? []) {
  const [at, file] = [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)];
  const bytes = readFileSync(file);
  bytes.copy(flash, Number(at));
  highest = Math.max(highest, Number(at) + bytes.length);
}
let stub = false;
/** the flash write in progress: { offset, blockSize, compressed: Buffer[] | null, blocks } */
let writing = null;
let dataBlocks = 0;

const port = new SerialPort({ path: args.port, baudRate: 115200, autoOpen: false });

function slip(packet) {
  const out = [0xc0];
  for (const b of packet) {
    if (b === 0xc0) out.push(0xdb, 0xdc);
    else if (b === 0xdb) out.push(0xdb, 0xdd);
    else out.push(b);
  }
  out.push(0xc0);
  return Buffer.from(out);
}

/** Status bytes: the ESP32 ROM sends four, the stub (and the ESP8266 ROM) two. */
function respond(op, { value = 0, data = Buffer.alloc(0), error = 0 } = {}) {
  const statusLen = stub || args.chip === 'esp8266' ? 2 : 4;
  const status = Buffer.alloc(statusLen);
  status[0] = error ? 1 : 0;
  status[1] = error;
  const body = Buffer.concat([data, status]);
  const head = Buffer.alloc(8);
  head[0] = 0x01;
  head[1] = op;
  head.writeUInt16LE(body.length, 2);
  head.writeUInt32LE(value >>> 0, 4);
  port.write(slip(Buffer.concat([head, body])));
}

function checksum(data) {
  let c = 0xef;
  for (const b of data) c ^= b;
  return c;
}

function store(offset, bytes) {
  if (offset + bytes.length > flash.length) return false;
  bytes.copy(flash, offset);
  if (corruptAt >= offset && corruptAt < offset + bytes.length) flash[corruptAt] ^= 0x01;
  highest = Math.max(highest, offset + bytes.length);
  return true;
}

function dump() {
  if (args.dump) writeFileSync(args.dump, flash.subarray(0, highest));
}

/** Inflates what a compressed write sent so far and stores it (at FLASH_DEFL_END, or before an MD5). */
function finishCompressed() {
  if (!writing?.compressed) return true;
  const { offset, compressed } = writing;
  writing = null;
  try {
    const plain = inflateSync(Buffer.concat(compressed));
    store(offset, plain);
    process.stdout.write(`rom-sim: wrote ${plain.length} bytes at 0x${offset.toString(16)}\n`);
    return true;
  } catch {
    return false;
  }
}

function handle(packet) {
  if (packet.length < 8 || packet[0] !== 0x00) return;
  const op = packet[1];
  const len = packet.readUInt16LE(2);
  const chk = packet.readUInt32LE(4);
  const data = packet.subarray(8, 8 + len);
  const word = (i) => data.readUInt32LE(i * 4);
  const badCrc = stub ? ERR.BAD_CRC_STUB : ERR.BAD_CRC_ROM;
  switch (op) {
    case OP.SYNC:
      // the ROM answers a sync eight times; the stub once, with value 0
      for (let i = 0; i < (stub ? 1 : 8); i++) respond(op, { value: stub ? 0 : 0x20120707 });
      return;
    case OP.READ_REG:
      return respond(op, { value: word(0) === CHIP_DETECT_MAGIC_REG ? MAGIC[args.chip] : 0 });
    case OP.WRITE_REG:
    case OP.SPI_ATTACH:
    case OP.SPI_SET_PARAMS:
      return respond(op);
    case OP.CHANGE_BAUDRATE:
      respond(op);
      // later, not at once: serialport's update() flushes both queues (tcflush TCIOFLUSH), which on a pty throws
      // away this answer if the host has not read it yet; a chip switches after the answer has left its UART
      port.drain(() => setTimeout(() => port.update({ baudRate: word(0) }, () => undefined), 20));
      return;
    case OP.MEM_BEGIN:
    case OP.MEM_DATA:
      if (op === OP.MEM_DATA && checksum(data.subarray(16)) !== (chk & 0xff)) return respond(op, { error: badCrc });
      return respond(op);
    case OP.MEM_END:
      // the stub is "running": it says hello, then answers as the stub does
      respond(op);
      port.write(slip(Buffer.from('OHAI')));
      stub = true;
      return;
    case OP.FLASH_BEGIN:
    case OP.FLASH_DEFL_BEGIN: {
      const offset = word(3);
      if (offset >= flash.length) return respond(op, { error: ERR.FAILED });
      writing = { offset, blockSize: word(2), compressed: op === OP.FLASH_DEFL_BEGIN ? [] : null };
      if (op === OP.FLASH_BEGIN && word(0) > 0) {
        // the ROM erases the region it is told to write
        flash.fill(0xff, offset, Math.min(flash.length, offset + word(0)));
      }
      return respond(op);
    }
    case OP.FLASH_DATA:
    case OP.FLASH_DEFL_DATA: {
      const size = word(0);
      const seq = word(1);
      const block = data.subarray(16, 16 + size);
      if (!writing || block.length !== size) return respond(op, { error: ERR.INVALID_MSG });
      if (checksum(block) !== (chk & 0xff)) return respond(op, { error: badCrc });
      dataBlocks++;
      if (args['die-at'] === 'flash-data' && dataBlocks === 2) process.exit(3);
      if (writing.compressed) writing.compressed.push(Buffer.from(block));
      else if (!store(writing.offset + seq * writing.blockSize, block)) return respond(op, { error: ERR.FAILED });
      return respond(op);
    }
    case OP.FLASH_END:
      if (writing && !writing.compressed) {
        process.stdout.write(`rom-sim: wrote ${highest - writing.offset} bytes at 0x${writing.offset.toString(16)}\n`);
      }
      writing = null;
      dump();
      return respond(op);
    case OP.FLASH_DEFL_END: {
      const ok = finishCompressed();
      dump();
      return respond(op, ok ? {} : { error: ERR.FAILED });
    }
    case OP.SPI_FLASH_MD5: {
      if (!finishCompressed()) return respond(op, { error: ERR.FAILED });
      dump();
      const [addr, size] = [word(0), word(1)];
      if (addr + size > flash.length) return respond(op, { error: ERR.FAILED });
      const md5 = createHash('md5').update(flash.subarray(addr, addr + size));
      return respond(op, { data: stub ? md5.digest() : Buffer.from(md5.digest('hex'), 'ascii') });
    }
    case OP.ERASE_FLASH:
    case OP.ERASE_REGION:
      if (!stub) break;
      if (op === OP.ERASE_FLASH) flash.fill(0xff);
      else flash.fill(0xff, word(0), Math.min(flash.length, word(0) + word(1)));
      process.stdout.write(`rom-sim: erased\n`);
      return respond(op);
    default:
      break;
  }
  // unknown here: the "invalid message" answer esptool reads as an unsupported command (its op is not echoed)
  respond(0x00, { error: ERR.INVALID_MSG });
}

let frame = null;
let escaping = false;
function onBytes(chunk) {
  for (const b of chunk) {
    if (b === 0xc0) {
      if (frame && frame.length) handle(Buffer.from(frame));
      frame = [];
      escaping = false;
    } else if (frame === null) {
      // noise before the first frame start
    } else if (escaping) {
      frame.push(b === 0xdc ? 0xc0 : b === 0xdd ? 0xdb : b);
      escaping = false;
    } else if (b === 0xdb) escaping = true;
    else if (frame.length < 0x10000) frame.push(b);
  }
}

port.on('data', onBytes);
port.on('close', () => process.exit(0));
port.on('error', () => process.exit(1));
port.open((err) => {
  if (err) {
    process.stderr.write(`rom-sim: cannot open ${args.port}: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`rom-sim: ready on ${args.port}\n`);
});
const stop = () => port.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
