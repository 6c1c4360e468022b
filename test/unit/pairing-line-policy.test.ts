import { describe, expect, it } from 'vitest';
import { KNOWN_BOARDS } from '../../electron/core/pairing/discovery.js';
import { linePolicyFor } from '../../electron/core/pairing/line-policy.js';

describe('modem lines and boot wait by board', () => {
  it('ESP boards behind a USB-UART bridge run: DTR and RTS low, so the auto-reset circuit neither resets nor enters the bootloader', () => {
    for (const vidPid of ['10c4:ea60', '1a86:7523', '1a86:55d4', '0403:6001']) {
      expect(linePolicyFor(vidPid)).toMatchObject({ dtr: false, rts: false });
    }
  });

  it("Espressif's USB-Serial/JTAG gets both lines low at once: RTS dropping while DTR is high would enter download mode", () => {
    expect(linePolicyFor('303a:1001')).toEqual({ dtr: false, rts: false, bootDelayMs: 0 });
  });

  it('native USB CDC stacks get DTR high (a terminal is open), or their Serial drops what it writes', () => {
    expect(linePolicyFor('303a:0002')).toMatchObject({ dtr: true, rts: false });
    expect(linePolicyFor('2341:8036')).toMatchObject({ dtr: true, rts: false });
    expect(linePolicyFor('303A:4001')).toMatchObject({ dtr: true }); // another Espressif TinyUSB product, upper-case hex
  });

  it('Arduino boards that reset on open are given time for the bootloader before the handshake', () => {
    for (const vidPid of ['2341:0043', '2341:0010', '2341:0042'])
      expect(linePolicyFor(vidPid).bootDelayMs).toBeGreaterThanOrEqual(1000);
  });

  it('ptys and unknown devices get the safe bridge setting with no wait', () => {
    expect(linePolicyFor(undefined)).toEqual({ dtr: false, rts: false, bootDelayMs: 0 });
    expect(linePolicyFor('dead:beef')).toEqual({ dtr: false, rts: false, bootDelayMs: 0 });
  });

  it('every board discovery recognizes has a deliberate policy', () => {
    for (const vidPid of Object.keys(KNOWN_BOARDS)) {
      const p = linePolicyFor(vidPid);
      expect(typeof p.dtr).toBe('boolean');
      expect(p.rts).toBe(false); // RTS high holds an ESP in reset
    }
  });
});
