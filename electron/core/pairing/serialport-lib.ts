import type { SerialPort } from 'serialport';

/**
 * The `serialport` package, loaded when a port is first listed or opened rather than with the app: the first
 * screen needs no serial port, and loading it (and its native binding) at startup only delays the first reading.
 */
export async function loadSerialPort(): Promise<typeof SerialPort> {
  return (await import('serialport')).SerialPort;
}
