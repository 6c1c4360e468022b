/**
 * Value types validated as Beebotte does (issue 16, fidelity): a write whose value does not fit its
 * resource's vtype gets 400/1404 with the reason and stores nothing; what Beebotte's data types page and the
 * official SDK's examples write is accepted (bbt_node's server_stats example writes cpu and memory objects).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VTYPES } from '../../electron/common/beebotte-names.js';
import { ALICE, type TestSandbox, rest, sdkCall, sdkConnector, startTestSandbox } from '../tools/sandbox-fixtures.js';

let t: TestSandbox;
let token: string;

beforeAll(async () => {
  t = await startTestSandbox();
  const channel = t.sandbox.accounts.createChannel(ALICE.owner, {
    name: 'types',
    resources: VTYPES.map((vtype) => ({ name: `r_${vtype}`, vtype })),
  });
  token = channel.token;
});
afterAll(async () => {
  await t?.cleanup();
});

const write = (vtype: string, data: unknown) =>
  rest(t.sandbox.urls.http, 'POST', `/v1/data/write/types/r_${vtype}`, { token, body: { data } });
const stored = async (vtype: string) =>
  ((await rest(t.sandbox.urls.http, 'GET', `/v1/data/read/types/r_${vtype}`, { token })).json as Array<{ data: unknown }>).map(
    (r) => r.data,
  );

const ACCEPTED: Array<[string, unknown[]]> = [
  ['rate', [0, 0.5, 1, '0.25']],
  ['percentage', [0, 42.5, 100]],
  ['email', ['ops@example.com', 'first.last+tag@mail.example.org']],
  [
    'gps',
    [
      { latitude: 48.8566, longitude: 2.3522 },
      { latitude: -90, longitude: 180, altitude: 35 },
    ],
  ],
  ['cpu', [{ user: 12.5, nice: 0, sys: 3.1, idle: 84.4, irq: 0 }]],
  ['memory', [{ memtotal: 16303044, memfree: 1203044, cached: 5120000, dirty: 1024 }]],
  ['disk', [{ total: 500107862016, used: 120034123776 }]],
  ['netif', [{ rx: 1200, tx: 800 }]],
  ['temperature', [21.5, -4]],
  ['humidity', [55]],
  ['body_temp', [36.6]],
  ['decimal', [3.14]],
  ['alphabetic', ['abc']],
  ['alphanumeric', ['abc123']],
];

const REJECTED: Array<[string, unknown[], RegExp]> = [
  ['rate', [1.5, -0.1, 'high'], /from 0 to 1/],
  ['percentage', [101, -1, '150', 'half'], /from 0 to 100/],
  ['email', ['not-an-email', 'a@b', 'a b@c.de', 42], /email address/],
  ['gps', ['here', [48.8, 2.3], { latitude: 91, longitude: 0 }, { latitude: 0 }, { latitude: 0, longitude: 200 }], /gps/],
  ['cpu', [42, {}, { user: 120 }, { idle: 'most' }], /cpu/],
  ['memory', [1024, { memfree: -1 }, { memfree: 'lots' }], /memory/],
  ['alphabetic', ['abc1', ''], /letters only/],
  ['alphanumeric', ['abc-1'], /letters and digits/],
  ['boolean', ['true', 1], /true or false/],
  ['number', ['warm', null], /expects a number/],
  ['temperature', [{ c: 21 }], /expects a number/],
  ['array', [{ a: 1 }], /array/],
  ['string', [5], /string/],
];

describe('value types', () => {
  it.each(ACCEPTED)('%s accepts what Beebotte documents', async (vtype, values) => {
    for (const value of values) expect(await write(vtype, value), JSON.stringify(value)).toEqual({ status: 200, json: true });
    expect(await stored(vtype)).toEqual(values);
  });

  it.each(REJECTED)('%s refuses a value that does not fit with 400/1404 and stores nothing', async (vtype, values, why) => {
    const before = await stored(vtype);
    for (const value of values) {
      const res = await write(vtype, value);
      expect(res.status, JSON.stringify(value)).toBe(400);
      expect(res.json.error.code, JSON.stringify(value)).toBe(1404);
      expect(res.json.error.message).toMatch(why);
    }
    expect(await stored(vtype)).toEqual(before);
  });

  it('a bulk write with one bad value stores none of the batch', async () => {
    const res = await rest(t.sandbox.urls.http, 'POST', '/v1/data/write/types', {
      token,
      body: {
        records: [
          { resource: 'r_percentage', data: 50 },
          { resource: 'r_rate', data: 2 },
        ],
      },
    });
    expect(res).toMatchObject({ status: 400, json: { error: { code: 1404 } } });
    expect(await stored('percentage')).not.toContain(50);
  });

  it("the official SDK's server_stats example writes its cpu and memory objects", async () => {
    const sdk = sdkConnector(t.sandbox.urls.http, { apiKey: ALICE.apiKey, secretKey: ALICE.secretKey });
    const cpu = { user: 7.2, nice: 0, sys: 1.9, idle: 90.9, irq: 0 };
    const memory = { memtotal: 8048216, memfree: 512004, cached: 2048000, dirty: 312 };
    await sdkCall((cb) => sdk.write({ channel: 'types', resource: 'r_cpu', data: cpu }, cb));
    await sdkCall((cb) => sdk.write({ channel: 'types', resource: 'r_memory', data: memory }, cb));
    expect((await stored('cpu')).at(-1)).toEqual(cpu);
    expect((await stored('memory')).at(-1)).toEqual(memory);
    await expect(sdkCall((cb) => sdk.write({ channel: 'types', resource: 'r_percentage', data: 140 }, cb))).rejects.toMatchObject(
      {
        error: { code: 1404 },
      },
    );
  });
});
