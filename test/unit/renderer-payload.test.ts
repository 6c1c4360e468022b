import { describe, expect, it } from 'vitest';
import type { MessageDTO } from '../../electron/api.js';
import { decodePayload } from '../../electron/core/codecs/decode.js';
import {
  LINE_SEGMENT,
  base64Of,
  bytesOf,
  hexRow,
  numberOf,
  prettyJson,
  shownValue,
  toLines,
  toNumber,
} from '../../renderer/src/lib/payload.js';

/** A message as the renderer receives it, decoded by the core's real ingest step. */
function message(payload: Buffer | string): MessageDTO {
  const d = decodePayload(Buffer.isBuffer(payload) ? payload : Buffer.from(payload));
  const m: MessageDTO = {
    id: 1,
    profileId: 'p1',
    topic: 'demo/temperature',
    receivedAt: 0,
    qos: 0,
    retain: false,
    size: d.size,
    kind: d.kind,
    preview: d.preview,
    clipped: d.clipped,
  };
  if (d.envelope) m.envelope = d.envelope;
  return m;
}

describe('shownValue: the short value in the log and explorer', () => {
  it('shows Beebotte data, not the envelope', () => {
    expect(shownValue(message('{"data":21.5,"write":true}'))).toBe('21.5');
    expect(shownValue(message('{"data":"on"}'))).toBe('"on"');
    expect(shownValue(message('{"data":{"lat":1}}'))).toBe('{"lat":1}');
    expect(shownValue(message('{"data":null}'))).toBe('null');
  });

  it('shows plain text and non-envelope JSON as they came', () => {
    expect(shownValue(message('hello bees'))).toBe('hello bees');
    expect(shownValue(message('{"temp":3}'))).toBe('{"temp":3}');
  });

  it('labels binary payloads and shows only a short base64 head', () => {
    const v = shownValue(message(Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256))));
    expect(v.startsWith('binary, base64 AAECAwQF')).toBe(true);
    expect(v).toHaveLength('binary, base64 '.length + 64);
  });

  it('a huge payload arrives clipped and stays bounded on screen', () => {
    const m = message('x'.repeat(1_000_000));
    expect(m.clipped).toBe(true);
    expect(shownValue(m).length).toBeLessThanOrEqual(2048);
  });
});

describe('numberOf: what the chart plots', () => {
  it.each([
    ['{"data":21.5}', 21.5],
    ['{"data":"42"}', 42],
    ['{"data":true}', 1],
    ['{"data":false}', 0],
    ['17', 17],
    [' -3.5e2 \n', -350],
    ['{"data":"warm"}', null],
    ['{"data":null}', null],
    // no `data`: the first numeric field (issue 15: {"v": 24.96} drew nothing)
    ['{"temp":3}', 3],
    ['{"v":24.96,"unit":"C"}', 24.96],
    ['{"id":"x","m":{"t":[5]}}', 5],
    ['{"name":"no numbers"}', null],
    ['hello', null],
    ['12 apples', null],
  ])('%j → %s', (payload, expected) => {
    expect(numberOf(message(payload))).toBe(expected);
  });

  it('a clipped payload is never charted (its head may look like a number)', () => {
    const m = message(`12345${' '.repeat(5000)}6`);
    expect(m.clipped).toBe(true);
    expect(numberOf(m)).toBeNull();
  });

  it('a binary payload is never charted', () => {
    expect(numberOf(message(Buffer.from([0x31, 0x00, 0xff])))).toBeNull();
  });
});

describe('toNumber', () => {
  it('rejects what is not a finite plain number', () => {
    expect(toNumber(Number.NaN)).toBeNull();
    expect(toNumber(Infinity)).toBeNull();
    expect(toNumber('')).toBeNull();
    expect(toNumber('0x10')).toBeNull();
    expect(toNumber('1'.repeat(40))).toBeNull();
    expect(toNumber({})).toBeNull();
    expect(toNumber('007')).toBe(7);
  });
});

describe('toLines: no display line grows unbounded', () => {
  it('cuts a long line into segments and keeps short lines whole', () => {
    const long = 'a'.repeat(LINE_SEGMENT * 2 + 10);
    const lines = toLines(`first\n${long}\nlast`);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('first');
    expect(lines.slice(1, 4).map((l) => l.length)).toEqual([LINE_SEGMENT, LINE_SEGMENT, 10]);
    expect(lines.slice(1, 4).join('')).toBe(long);
    expect(lines[4]).toBe('last');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(LINE_SEGMENT);
  });

  it('keeps empty lines', () => {
    expect(toLines('a\n\nb\n')).toEqual(['a', '', 'b', '']);
  });
});

describe('prettyJson', () => {
  it('indents JSON and returns null for text', () => {
    expect(prettyJson('{"a":[1]}')).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(prettyJson('not json')).toBeNull();
    expect(prettyJson('{"a":')).toBeNull();
  });
});

describe('bytes, hex and base64 views', () => {
  it('binary previews are base64 and decode back to the bytes', () => {
    const raw = Buffer.from([0, 1, 2, 0xfe, 0xff]);
    expect([...bytesOf(raw.toString('base64'), 'binary')]).toEqual([...raw]);
  });

  it('text is UTF-8 encoded', () => {
    expect([...bytesOf('é', 'text')]).toEqual([0xc3, 0xa9]);
  });

  it('broken base64 gives no bytes rather than throwing', () => {
    expect(bytesOf('***', 'binary')).toHaveLength(0);
  });

  it('a hex row has offset, hex with a gap after 8 bytes, and printable ASCII', () => {
    const data = new TextEncoder().encode('Hello, bees!\n\u0000ok ABCDEF');
    expect(hexRow(data, 0)).toBe('00000000  48 65 6c 6c 6f 2c 20 62  65 65 73 21 0a 00 6f 6b  Hello, bees!··ok');
    expect(hexRow(data, 1)).toMatch(/^00000010 {2}20 41 42 43 44 45 46 {2}/);
  });

  it('a short last row keeps the ASCII column aligned', () => {
    const data = new TextEncoder().encode('0123456789abcdefXYZ');
    const full = hexRow(data, 0);
    const last = hexRow(data, 1);
    expect(last.indexOf('XYZ')).toBe(full.indexOf('0123456789abcdef'));
    expect(last.endsWith(' XYZ')).toBe(true);
  });

  it('base64 of a large payload matches Node (chunked encoding)', () => {
    const data = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
    expect(base64Of(data)).toBe(Buffer.from(data).toString('base64'));
  });
});
