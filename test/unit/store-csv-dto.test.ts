import { describe, expect, it } from 'vitest';
import { csvField, csvRecord, parseCsv } from '../../electron/core/store/csv.js';
import { fullEnvelope, toFullMessageDTO, toMessageDTO } from '../../electron/core/store/message-dto.js';
import type { StoredMessage } from '../../electron/core/store/message-log.js';
import { PREVIEW_BYTES } from '../../electron/core/codecs/decode.js';

describe('CSV (RFC 4180)', () => {
  it('quotes only what needs quoting and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(null)).toBe('');
    expect(csvField(12)).toBe('12');
    expect(csvField(true)).toBe('true');
    expect(csvRecord(['a', 'b,c', ''])).toBe('a,"b,c",\r\n');
  });

  it('round-trips awkward fields through parseCsv', () => {
    const rows = [
      ['id', 'payload'],
      ['1', '{"a": "x, \\"y\\""}\r\nsecond line\nthird'],
      ['2', ''],
      ['3', '"'],
    ];
    const text = rows.map(csvRecord).join('');
    expect(parseCsv(text)).toEqual(rows);
  });
});

const base: StoredMessage = {
  id: 7,
  profileId: 'p1',
  topic: 'ch/res',
  receivedAt: 1_700_000_000_000,
  qos: 1,
  retain: false,
  size: 0,
  kind: 'text',
  payload: Buffer.alloc(0),
  overCap: false,
  own: false,
};
const stored = (payload: Buffer, extra: Partial<StoredMessage> = {}): StoredMessage => ({
  ...base,
  payload,
  size: payload.length,
  ...extra,
});

describe('message DTO mappers', () => {
  it('maps a Beebotte JSON message with its envelope', () => {
    const dto = toMessageDTO(stored(Buffer.from('{"data":21.5,"write":true}'), { kind: 'json', own: true }));
    expect(dto).toEqual({
      id: 7,
      profileId: 'p1',
      topic: 'ch/res',
      receivedAt: 1_700_000_000_000,
      qos: 1,
      retain: false,
      size: 26,
      kind: 'json',
      preview: '{"data":21.5,"write":true}',
      clipped: false,
      envelope: { data: 21.5, write: true },
      own: true,
    });
  });

  it('clips previews to the requested size and says so', () => {
    const text = 'é'.repeat(3000);
    const dto = toMessageDTO(stored(Buffer.from(text)), 100);
    expect(dto.preview).toBe('é'.repeat(100));
    expect(dto.clipped).toBe(true);
    expect(toMessageDTO(stored(Buffer.from(text))).preview.length).toBe(PREVIEW_BYTES);
    const bin = Buffer.alloc(300, 0);
    const binDto = toMessageDTO(stored(bin, { kind: 'binary' }), 30);
    expect(Buffer.from(binDto.preview, 'base64').length).toBe(30);
    expect(binDto.clipped).toBe(true);
  });

  it('gives the whole payload in full DTOs, base64 for binary, with overCap', () => {
    const bin = Buffer.from([0, 159, 146, 150]);
    const full = toFullMessageDTO(stored(bin, { kind: 'binary', overCap: true, size: 999 }));
    expect(full.payload).toBe(bin.toString('base64'));
    expect(full.overCap).toBe(true);
    expect(full.size).toBe(999);
    expect(full.clipped).toBe(true);
    const text = toFullMessageDTO(stored(Buffer.from('x'.repeat(5000))));
    expect(text.payload).toBe('x'.repeat(5000));
    expect(text.overCap).toBe(false);
  });

  it('reads the whole envelope for export, unlike the bounded preview', () => {
    const big = { data: { values: Array.from({ length: 200 }, (_, i) => i) } };
    const row = stored(Buffer.from(JSON.stringify(big)), { kind: 'json' });
    expect(fullEnvelope(row)).toEqual(big);
    expect(toMessageDTO(row).envelope?.data).toBe('[object: open the message]');
    expect(fullEnvelope(stored(Buffer.from('{"nodata":1}'), { kind: 'json' }))).toBeUndefined();
  });
});
