/** IAM token helpers: a device token's name within Beebotte's 2–48 characters, its ACL, and scopes in words. */
import { describe, expect, it } from 'vitest';
import { describeRule, deviceAcl, deviceTokenName } from '../../electron/core/beebotte/iam-client.js';

describe('deviceTokenName', () => {
  it('names the token after the device and its channel, within 48 characters', () => {
    expect(deviceTokenName('Bee 7', 'hive')).toBe('Bee 7 (hive)');
    const long = deviceTokenName('A'.repeat(80), 'a_channel_name_of_sixty_four_characters_long_xxxxxxxxxxxxxxxxxxx');
    expect(long.length).toBeLessThanOrEqual(48);
    expect(long.length).toBeGreaterThanOrEqual(2);
    expect(deviceTokenName('Bee\u0000\u001b[31m 8\u007f', 'home')).toBe('Bee[31m 8 (home)'); // no control characters
    expect(deviceTokenName('   ', 'home')).toBe('device (home)');
  });
});

describe('deviceAcl and describeRule', () => {
  it('a device gets data read and write on its channel only, said in words', () => {
    expect(deviceAcl('garden').map(describeRule)).toEqual(['read data on garden', 'write data on garden']);
    expect(describeRule({ action: 'data:read' })).toBe('read data on every channel');
    expect(describeRule({ action: 'data:write', resource: ['*'] })).toBe('write data on every channel');
    expect(describeRule({ action: 'data:read', resource: ['home.temp', 'garage'] })).toBe('read data on home.temp, garage');
    expect(describeRule({ action: 'admin:iam:write' })).toBe('manage IAM tokens');
    expect(describeRule({ action: 'admin:connection:read' })).toBe('see connections');
  });
});
