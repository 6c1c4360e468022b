/** Reads a Beebotte JSON envelope out of raw MQTT bytes; null for anything else (relayed, not bridged). */
import { type Envelope, readEnvelope } from '../common/beebotte-envelope.js';

export function readEnvelopeBytes(payload: Buffer | string): Envelope | null {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  const first = text.trimStart()[0];
  if (first !== '{') return null;
  try {
    return readEnvelope(JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}
