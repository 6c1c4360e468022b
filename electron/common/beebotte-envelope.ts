/** The Beebotte publish envelope: {"data": …} plus optional write / ispublic / ts flags. */
export interface Envelope {
  data: unknown;
  write?: boolean;
  ispublic?: boolean;
  ts?: number;
}

export function buildEnvelope(data: unknown, flags: { write?: boolean; ispublic?: boolean; ts?: number }): Envelope {
  const envelope: Envelope = { data };
  if (flags.write) envelope.write = true;
  if (flags.ispublic) envelope.ispublic = true;
  if (flags.ts !== undefined) envelope.ts = flags.ts;
  return envelope;
}

/** Reads an envelope out of an already parsed JSON value; null when it is not one. */
export function readEnvelope(value: unknown): Envelope | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  if (!Object.prototype.hasOwnProperty.call(value, 'data')) return null;
  const v = value as Record<string, unknown>;
  const envelope: Envelope = { data: v.data };
  if (typeof v.write === 'boolean') envelope.write = v.write;
  if (typeof v.ispublic === 'boolean') envelope.ispublic = v.ispublic;
  if (typeof v.ts === 'number' && Number.isFinite(v.ts)) envelope.ts = v.ts;
  return envelope;
}
