import { describe, expect, it } from 'vitest';
import { beebotteUsername } from '../../electron/core/beebotte/credentials.js';
import { buildEnvelope, readEnvelope } from '../../electron/common/beebotte-envelope.js';
import { checkPublishTopic, checkSubscribeFilter } from '../../electron/common/beebotte-names.js';
import { nextDelay } from '../../electron/core/session/backoff.js';
import { describeConnectError, isAuthFailure } from '../../electron/core/session/errors.js';

describe('Beebotte credential → username, as the official SDK does it', () => {
  it('keeps token_ and iamtkn_ tokens, prefixes legacy tokens, passes secret keys as they are', () => {
    expect(beebotteUsername('channelToken', 'token_abc123')).toBe('token_abc123');
    expect(beebotteUsername('iamToken', 'iamtkn_xyz')).toBe('iamtkn_xyz');
    expect(beebotteUsername('channelToken', '1234567890abcdef')).toBe('token:1234567890abcdef');
    expect(beebotteUsername('channelToken', 'token:1234')).toBe('token:1234');
    expect(beebotteUsername('secretKey', 'Sx9aBcD')).toBe('Sx9aBcD');
  });
});

describe('topics are channel/resource', () => {
  it('accepts valid names and explains invalid ones', () => {
    expect(checkPublishTopic('demo/temperature')).toBeNull();
    expect(checkPublishTopic('demo/temperature/x')).toMatch(/channel\/resource/);
    expect(checkPublishTopic('d/temperature')).toMatch(/2–64/);
    expect(checkPublishTopic('demo/t-x')).toMatch(/resource/);
    expect(checkPublishTopic(`demo/${'a'.repeat(65)}`)).toMatch(/resource/);
    expect(checkSubscribeFilter('demo/#')).toBeNull();
    expect(checkSubscribeFilter('#')).toMatch(/channel\/resource/);
  });
});

describe('the envelope', () => {
  it('sets only the flags asked for and reads them back', () => {
    expect(buildEnvelope(21.5, {})).toEqual({ data: 21.5 });
    expect(buildEnvelope('x', { write: true, ispublic: true })).toEqual({ data: 'x', write: true, ispublic: true });
    expect(readEnvelope({ data: null, ts: 5, write: 'yes' })).toEqual({ data: null, ts: 5 });
    expect(readEnvelope({ value: 1 })).toBeNull();
    expect(readEnvelope([1])).toBeNull();
  });
});

describe('reconnect policy and errors', () => {
  it('grows exponentially, stays capped and jittered', () => {
    const p = { initialMs: 500, maxMs: 30_000, jitter: 0.5 };
    expect(nextDelay(p, 0, () => 1)).toBe(500);
    expect(nextDelay(p, 0, () => 0)).toBe(250);
    expect(nextDelay(p, 3, () => 1)).toBe(4000);
    expect(nextDelay(p, 50, () => 1)).toBe(30_000);
  });

  it('says what to do when the credential is rejected, without the credential', () => {
    const err = Object.assign(new Error('Connection refused: Not authorized'), { code: 5 });
    expect(isAuthFailure(err)).toBe(true);
    const text = describeConnectError(err, 'mqtt.beebotte.com', 'check the channel token in the profile');
    expect(text).toBe('credential rejected by mqtt.beebotte.com (CONNACK 5, not authorized): check the channel token in the profile');
    expect(isAuthFailure(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(describeConnectError(new Error('bad token_abc123 here'), 'h', '')).not.toContain('token_abc123');
  });
});
