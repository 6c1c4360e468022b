/** Sandbox pure logic: namespacing, filters, vtypes, time windows, signing strings, CLI arguments, retention. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSandboxArgs } from '../../electron/commands/sandbox.js';
import { SandboxAccounts } from '../../electron/sandbox/accounts.js';
import { openSqlite } from '../../electron/core/store/sqlite.js';
import { openDb } from '../../electron/sandbox/db.js';
import { mayAdmin, mayData, parseAcl } from '../../electron/sandbox/iam.js';
import { newApiKey, newChannelToken, newSecretKey } from '../../electron/sandbox/ids.js';
import { matchesVtype } from '../../electron/sandbox/model.js';
import { RecordStore } from '../../electron/sandbox/records.js';
import { signString, stringToSign } from '../../electron/sandbox/rest/auth.js';
import { readQuery } from '../../electron/sandbox/rest/data-routes.js';
import { parseInstant, parseTimeRange } from '../../electron/sandbox/time-range.js';
import { topicMatches } from '../../electron/common/topic-filter.js';
import { clientTopic, internalFilter } from '../../electron/sandbox/topics.js';

describe('account namespacing', () => {
  it('moves client filters into the account space and back', () => {
    expect(internalFilter('alice', '#')).toBe('D/alice/#');
    expect(internalFilter('alice', '+/+')).toBe('D/alice/+/+');
    expect(internalFilter('alice', 'signaling/#')).toBe('S/alice/#');
    expect(clientTopic('alice', 'D/alice/home/temp')).toBe('home/temp');
    expect(clientTopic('alice', 'S/alice/connect')).toBe('signaling/connect');
  });

  it('never hands one account another account’s topic', () => {
    expect(clientTopic('alice', 'D/bob/home/temp')).toBeNull();
    expect(clientTopic('al', 'D/alice/home/temp')).toBeNull();
    expect(clientTopic('alice', '$SYS/broker/uptime')).toBeNull();
  });

  it('matches MQTT filters', () => {
    expect(topicMatches('home/#', 'home/temp')).toBe(true);
    expect(topicMatches('+/temp', 'home/temp')).toBe(true);
    expect(topicMatches('#', 'home/temp')).toBe(true);
    expect(topicMatches('home/note', 'home/temp')).toBe(false);
    expect(topicMatches('+', 'home/temp')).toBe(false);
  });
});

describe('credentials', () => {
  it('have Beebotte shapes', () => {
    expect(newChannelToken()).toMatch(/^token_[0-9A-Za-z]{16}$/);
    expect(newApiKey()).toMatch(/^[0-9A-Za-z]{24}$/);
    expect(newSecretKey()).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(newChannelToken()).not.toBe(newChannelToken());
  });

  it('sign REST requests exactly as the official SDK does', () => {
    const sdk = new (createRequire(import.meta.url)('beebotte').Connector)({ apiKey: 'KEY', secretKey: 'SECRET' });
    const text = stringToSign('get', '', '', 'Tue, 01 Jan 2030 00:00:00 GMT', '/v1/channels?x=1');
    expect(text).toBe('GET\n\n\nTue, 01 Jan 2030 00:00:00 GMT\n/v1/channels?x=1');
    expect(`KEY:${signString('SECRET', text)}`).toBe(sdk.sign(text).auth);
  });
});

describe('values and windows', () => {
  it('checks values against vtypes, numeric strings included', () => {
    expect(matchesVtype('number', 21.5)).toBe(true);
    expect(matchesVtype('temperature', '21.5')).toBe(true);
    expect(matchesVtype('number', 'warm')).toBe(false);
    expect(matchesVtype('boolean', 1)).toBe(false);
    expect(matchesVtype('string', 'x')).toBe(true);
    expect(matchesVtype('any', { a: 1 })).toBe(true);
  });

  it('parses time ranges and instants', () => {
    const now = Date.UTC(2030, 0, 2, 12);
    expect(parseTimeRange('6hour', now)).toEqual({ from: now - 6 * 3_600_000, to: now });
    expect(parseTimeRange('2days', now)).toEqual({ from: now - 2 * 86_400_000, to: now });
    expect(parseTimeRange('fortnight', now)).toBeNull();
    expect(parseInstant('2030-01-01T00:00:00Z')).toBe(Date.UTC(2030, 0, 1));
    expect(parseInstant('1893456000')).toBe(1_893_456_000_000);
    expect(parseInstant('soon')).toBeNull();
  });

  it('reads query strings with Beebotte defaults and limits', () => {
    expect(readQuery({})).toEqual({ limit: 750 });
    expect(() => readQuery({ limit: '50001' })).toThrow(/limit/);
    expect(readQuery({ source: 'hour-stats', 'sample-rate': '5' })).toEqual({ limit: 750, source: 'hour-stats', sampleRate: 5 });
    expect(() => readQuery({ source: 'minute-stats' })).toThrow(/raw, hour-stats or day-stats/);
    expect(() => readQuery({ 'sample-rate': '10001' })).toThrow(/sample-rate/);
    expect(() => readQuery({ 'start-time': '2030-01-02', 'end-time': '2030-01-01' })).toThrow(/after/);
  });
});

describe('command line', () => {
  it('defaults to the standard ports and data dir', () => {
    const parsed = parseSandboxArgs([]);
    expect(parsed).toMatchObject({ mqttPort: 1883, mqttsPort: 8883, httpPort: 8080, json: false });
    expect(typeof parsed === 'object' && parsed.dataDir).toMatch(/\.apiary[/\\]sandbox$/);
  });

  it('reads flags, and explains bad ones', () => {
    expect(parseSandboxArgs(['--mqtt-port=0', '--mqtts-port', 'off', '--json', '--data', '/tmp/x'])).toMatchObject({
      mqttPort: 0,
      mqttsPort: null,
      json: true,
      dataDir: '/tmp/x',
    });
    expect(parseSandboxArgs(['--http-port', '70000'])).toMatch(/--http-port needs a port number/);
    expect(parseSandboxArgs(['--bogus'])).toMatch(/unknown option --bogus/);
  });
});

describe('retention', () => {
  it('drops records older than maxAgeDays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apiary-sandbox-unit-'));
    const db = openDb(dir);
    try {
      const accounts = new SandboxAccounts(db);
      accounts.ensureAccount({ owner: 'alice' });
      accounts.createChannel('alice', { name: 'home', resources: [{ name: 'temp' }] });
      const records = new RecordStore(db, { maxRecordsPerResource: 100, maxAgeDays: 30 });
      records.write({ owner: 'alice', channel: 'home', resource: 'temp', data: 1, ts: Date.now(), ispublic: false });
      expect(records.pruneByAge(Date.now() + 29 * 86_400_000)).toBe(0);
      expect(records.pruneByAge(Date.now() + 31 * 86_400_000)).toBe(1);
      expect(records.count('alice', 'home', 'temp')).toBe(0);
      records.close();
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('IAM tokens', () => {
  it('a data directory from before IAM ACLs keeps its tokens, with the rights their channel lists gave', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apiary-sandbox-unit-'));
    const old = openSqlite(join(dir, 'sandbox.sqlite'));
    old.exec(`CREATE TABLE accounts (owner TEXT PRIMARY KEY, api_key TEXT NOT NULL UNIQUE, secret_key TEXT NOT NULL UNIQUE,
                created_at INTEGER NOT NULL);
              CREATE TABLE iam_tokens (token TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', channels TEXT);
              INSERT INTO accounts VALUES ('alice', 'k', 's', 0);
              INSERT INTO iam_tokens VALUES ('iamtkn_homeOnly', 'alice', '', '["home"]'), ('iamtkn_everything', 'alice', '', NULL);`);
    old.pragma('user_version = 1'); // as the first schema left it (the tables it does not touch are left out)
    old.close();
    const db = openDb(dir);
    try {
      const accounts = new SandboxAccounts(db);
      const home = accounts.resolveToken('iamtkn_homeOnly')!;
      expect(mayData(home, 'write', 'home', 'temp')).toBe(true);
      expect(mayData(home, 'read', 'garage', 'door')).toBe(false);
      expect(mayAdmin(home, 'channel', 'read')).toBe(false);
      const everything = accounts.resolveToken('iamtkn_everything')!;
      expect(mayData(everything, 'read', '*', '*')).toBe(true);
      expect(accounts.iam.list('alice').map((d) => d._id)).toEqual([
        expect.stringMatching(/^[0-9a-f]{24}$/),
        expect.stringMatching(/^[0-9a-f]{24}$/),
      ]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ACL resources cover what they name: a channel, channel.*, channel.resource, * and *.resource', () => {
    const p = (resource: string[]) => ({
      kind: 'iam' as const,
      owner: 'a',
      token: 't',
      acl: [{ action: 'data:read', resource }],
    });
    expect(mayData(p(['home']), 'read', 'home', '*')).toBe(true);
    expect(mayData(p(['home.*']), 'read', 'home', 'temp')).toBe(true);
    expect(mayData(p(['home.temp']), 'read', 'home', 'temp')).toBe(true);
    expect(mayData(p(['home.temp']), 'read', 'home', '*')).toBe(false); // home/# needs the whole channel
    expect(mayData(p(['home.temp']), 'write', 'home', 'temp')).toBe(false);
    expect(mayData(p(['*.temp']), 'read', 'garage', 'temp')).toBe(true);
    expect(mayData(p(['*.temp']), 'read', '*', 'temp')).toBe(true); // +/temp
    expect(mayData(p(['home']), 'read', '*', '*')).toBe(false); // #
    expect(() => parseAcl([{ action: 'admin:iam:write', resource: ['home'] }])).toThrow(/only be \["\*"\]/);
    expect(() => parseAcl([{ action: 'data:read', resource: [] }])).toThrow(/at least one/);
  });
});

describe('named time ranges', () => {
  it('are calendar periods in local time, weeks from Monday', () => {
    const now = new Date(2026, 2, 4, 15, 30).getTime(); // Wednesday 4 March 2026
    const at = (y: number, m: number, d: number) => new Date(y, m, d).getTime();
    expect(parseTimeRange('current-week', now)).toEqual({ from: at(2026, 2, 2), to: now });
    expect(parseTimeRange('last-week', now)).toEqual({ from: at(2026, 1, 23), to: at(2026, 2, 2) - 1 });
    expect(parseTimeRange('current-month', now)).toEqual({ from: at(2026, 2, 1), to: now });
    expect(parseTimeRange('last-month', now)).toEqual({ from: at(2026, 1, 1), to: at(2026, 2, 1) - 1 });
    expect(parseTimeRange('ytd', now)).toEqual({ from: at(2026, 0, 1), to: now });
    expect(parseTimeRange('last-year', now)).toEqual({ from: at(2025, 0, 1), to: at(2026, 0, 1) - 1 });
    const sunday = new Date(2026, 2, 8, 9).getTime(); // a Sunday still belongs to the week that began on Monday the 2nd
    expect(parseTimeRange('current-week', sunday)?.from).toBe(at(2026, 2, 2));
    expect(parseTimeRange('next-week', now)).toBeNull();
  });
});

describe('sandbox data written by a newer Apiary', () => {
  it('is refused with what to do, not read with tables this build does not know', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apiary-sbx-newer-'));
    try {
      openDb(dir).close();
      const raw = openSqlite(join(dir, 'sandbox.sqlite'));
      raw.pragma('user_version = 999');
      raw.close();
      expect(() => openDb(dir)).toThrow(/written by a newer Apiary \(schema 999, this build knows \d+\): update Apiary/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
