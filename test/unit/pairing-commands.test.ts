import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { runDevicesCommand } from '../../electron/commands/devices.js';
import { runProvisionCommand } from '../../electron/commands/provision.js';
import { describeOpenError, describeWriteError } from '../../electron/core/pairing/serial-port.js';

function sink() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

const lister = async () => [
  { path: '/dev/ttyS0' },
  { path: '/dev/ttyUSB0', vendorId: '10c4', productId: 'ea60', serialNumber: '0001' },
];

describe('apiary devices', () => {
  it('prints one JSON line with --json', async () => {
    const out = sink();
    expect(await runDevicesCommand(['--json'], { lister, stdout: out.stream, stderr: sink().stream })).toBe(0);
    expect(out.text().trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(out.text())).toEqual({
      ports: [
        { path: '/dev/ttyUSB0', vidPid: '10c4:ea60', board: 'ESP32 (CP2102)', serialNumber: '0001' },
        { path: '/dev/ttyS0' },
      ],
    });
  });

  it('prints a table, recognized boards first', async () => {
    const out = sink();
    await runDevicesCommand([], { lister, stdout: out.stream, stderr: sink().stream });
    expect(out.text().split('\n')[0]).toBe('/dev/ttyUSB0  10c4:ea60  ESP32 (CP2102)  serial 0001');
  });

  it('warns on stderr when udevadm is missing and still answers', async () => {
    const out = sink();
    const err = sink();
    const code = await runDevicesCommand(['--json'], {
      lister: () => Promise.reject(new Error('spawn udevadm ENOENT')),
      stdout: out.stream,
      stderr: err.stream,
    });
    expect(code).toBe(0);
    expect(err.text()).toMatch(/udevadm is missing/);
    expect(JSON.parse(out.text()).warning).toMatch(/udevadm/);
  });

  it('rejects unknown flags with exit 2', async () => {
    const err = sink();
    expect(await runDevicesCommand(['--jsno'], { lister, stdout: sink().stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toMatch(/usage: apiary devices/);
  });
});

describe('--help', () => {
  it('apiary devices --help / -h prints the options and exits 0 without listing ports', async () => {
    for (const flag of ['--help', '-h']) {
      const out = sink();
      const err = sink();
      let listed = false;
      const code = await runDevicesCommand([flag], {
        lister: async () => {
          listed = true;
          return [];
        },
        stdout: out.stream,
        stderr: err.stream,
      });
      expect(code).toBe(0);
      expect(out.text()).toMatch(/^usage: apiary devices \[--json\]/);
      expect(out.text()).toContain('--json');
      expect(err.text()).toBe('');
      expect(listed).toBe(false);
    }
  });

  it('apiary provision --help / -h prints the options and exits 0 without touching a port', async () => {
    for (const argv of [['--help'], ['-h'], ['--port', '/dev/x', '--help']]) {
      const out = sink();
      const err = sink();
      let opened = false;
      const code = await runProvisionCommand(argv, {
        openPort: () => {
          opened = true;
          return Promise.reject(new Error('unused'));
        },
        stdout: out.stream,
        stderr: err.stream,
      });
      expect(code).toBe(0);
      expect(out.text()).toMatch(/^usage: apiary provision --port PATH/);
      expect(out.text()).toContain('--wait-first-message SECONDS');
      expect(err.text()).toBe('');
      expect(opened).toBe(false);
    }
  });

  it('"-h" given as a value is a value, not a request for help', async () => {
    const out = sink();
    const code = await runProvisionCommand(['--port', '/dev/x', '--wifi-ssid', 'S', '--wifi-password', '-h', '--json'], {
      stdout: out.stream,
      stderr: sink().stream,
    });
    expect(code).toBe(2); // still a usage error: no --profile / --broker
    expect(JSON.parse(out.text())).toMatchObject({ ok: false, code: 'usage' });
  });
});

describe('serial port errors', () => {
  it('turns OS errors into what to do', () => {
    expect(describeOpenError('/dev/ttyUSB0', new Error('Error Resource temporarily unavailable Cannot lock port'))).toMatchObject(
      {
        code: 'port-busy',
        message: '/dev/ttyUSB0 is open in another program (a serial monitor, screen, another Apiary?): close it and try again',
      },
    );
    const denied = describeOpenError('/dev/ttyUSB0', new Error('Error: Permission denied, cannot open /dev/ttyUSB0'));
    expect(denied.code).toBe('port-permission');
    if (process.platform === 'linux') expect(denied.message).toMatch(/dialout group/);
    expect(
      describeOpenError('/dev/ttyUSB9', new Error('Error: No such file or directory, cannot open /dev/ttyUSB9')),
    ).toMatchObject({
      code: 'port-missing',
    });
    expect(describeWriteError('/dev/ttyUSB0', new Error('Input/output error, cannot drain')).code).toBe('disconnected');
  });
});
