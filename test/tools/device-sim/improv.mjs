// Device-side Improv serial framing for the simulator: written separately from the app's codec
// (electron/core/pairing/improv-codec.ts) so the two check each other, like the C++ firmware codec.
const HEADER = Buffer.from('IMPROV');
const PREFIX = HEADER.length + 3;

export const TYPE = { state: 0x01, error: 0x02, rpc: 0x03, result: 0x04 };
export const STATE = { stopped: 0x00, ready: 0x02, provisioning: 0x03, provisioned: 0x04 };
export const ERROR = { none: 0x00, invalidRpc: 0x01, unknownRpc: 0x02, unableToConnect: 0x03, badHostname: 0x05 };

export function frame(type, data) {
  const body = Buffer.concat([HEADER, Buffer.from([1, type, data.length]), Buffer.from(data)]);
  let sum = 0;
  for (const b of body) sum = (sum + b) & 0xff;
  return Buffer.concat([body, Buffer.from([sum, 0x0a])]);
}

export function strings(list) {
  return Buffer.concat(
    list.map((s) => {
      const b = Buffer.from(s, 'utf8').subarray(0, 255);
      return Buffer.concat([Buffer.from([b.length]), b]);
    }),
  );
}

export function result(command, list) {
  const payload = strings(list);
  return frame(TYPE.result, Buffer.concat([Buffer.from([command, payload.length]), payload]));
}

export function readStrings(buf) {
  const out = [];
  for (let at = 0; at < buf.length;) {
    const len = buf[at];
    if (at + 1 + len > buf.length) return null;
    out.push(buf.subarray(at + 1, at + 1 + len).toString('utf8'));
    at += 1 + len;
  }
  return out;
}

/**
 * Splits the host's bytes into Improv frames and console lines (Tasmota takes text commands).
 * A frame starts a line with "IMPROV"; anything else is text up to "\n". Bounded: lines are cut at 1 KiB.
 */
export class HostInput {
  constructor({ onFrame, onBadFrame, onLine }) {
    this.onFrame = onFrame;
    this.onBadFrame = onBadFrame;
    this.onLine = onLine;
    this.buf = Buffer.alloc(0);
    this.inLine = false;
  }

  push(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (let guard = 0; guard < 10_000 && this.buf.length > 0; guard++) {
      if (!this.step()) break;
    }
    if (this.buf.length > 1024) this.buf = Buffer.alloc(0);
  }

  /** Consumes one frame or line; false when more bytes are needed. */
  step() {
    const b = this.buf;
    if (!this.inLine) {
      const n = Math.min(b.length, HEADER.length);
      if (b.subarray(0, n).equals(HEADER.subarray(0, n))) {
        if (b.length < PREFIX) return false;
        const total = PREFIX + b[8] + 1;
        if (b.length < total) return false;
        let sum = 0;
        for (const x of b.subarray(0, total - 1)) sum = (sum + x) & 0xff;
        const ok = sum === b[total - 1] && b[6] === 1;
        if (ok) this.onFrame(b[7], Buffer.from(b.subarray(PREFIX, total - 1)));
        else this.onBadFrame();
        this.buf = b.subarray(total);
        if (this.buf[0] === 0x0a) this.buf = this.buf.subarray(1);
        return true;
      }
      this.inLine = true;
    }
    const nl = b.indexOf(0x0a);
    if (nl < 0) return false;
    const line = b.subarray(0, nl).toString('utf8').replace(/\r$/, '');
    this.buf = b.subarray(nl + 1);
    this.inLine = false;
    if (line.length > 0) this.onLine(line);
    return true;
  }
}
