/**
 * Beebotte's REST error vocabulary: an HTTP status plus a numeric code, answered as
 * {"error":{"code":N,"message":"…"}}. Sandbox services throw these; the REST layer serialises them,
 * the MQTT and WebSocket layers turn them into a dropped connection or a control error.
 */
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }

  toJSON(): { error: { code: number; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const errors = {
  badAuth: (why: string) => new SandboxError(400, 1101, `Bad Authentication Data: ${why}`),
  notAllowed: (why: string) => new SandboxError(405, 1102, `Operation not allowed: ${why}`),
  internal: () => new SandboxError(500, 1201, 'Unexpected internal error in the sandbox'),
  notFound: (what: string) => new SandboxError(404, 1300, `Requested element not found: ${what}`),
  resourceNotFound: (channel: string, resource: string) =>
    new SandboxError(404, 1301, `Requested resource not found: ${channel}.${resource}`),
  serviceNotFound: (path: string) => new SandboxError(404, 1302, `Requested service not found: ${path}`),
  channelNotFound: (channel: string) => new SandboxError(404, 1303, `Requested channel not found: ${channel}`),
  resourceExists: (channel: string, resource: string) =>
    new SandboxError(400, 1304, `Resource already exists: ${channel}.${resource}`),
  channelExists: (channel: string) => new SandboxError(400, 1306, `Channel already exists: ${channel}`),
  badParameter: (why: string) => new SandboxError(400, 1401, `Parameter error: ${why}`),
  validation: (why: string) => new SandboxError(400, 1403, `Validation error: ${why}`),
  typeMismatch: (resource: string, vtype: string, why?: string) =>
    new SandboxError(400, 1404, `Data does not match the type of resource ${resource} (${vtype}${why ? `: ${why}` : ''})`),
  unknownType: (vtype: string) => new SandboxError(400, 1405, `Unknown data type: ${vtype}`),
  tooLong: (limit: number) => new SandboxError(400, 1406, `Message too long: the limit is ${limit} bytes`),
};
