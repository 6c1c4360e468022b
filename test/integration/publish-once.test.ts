/** One publish from the composer is one message: one history entry, one echo in the log, one stored row. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads, MessageDTO, PublishHistoryEntry } from '../../electron/api.js';
import { startTestCore, waitFor, type TestCore } from '../tools/core-fixture.js';

let t: TestCore;
const seen: MessageDTO[] = [];
beforeAll(async () => {
  t = await startTestCore({ demoSensor: false });
  t.core.bus.subscribe((e, d) => {
    if (e === 'messages.batch') seen.push(...(d as EventPayloads['messages.batch']).messages);
  });
  await waitFor(() => t.core.services.sessions.state('sandbox').status === 'connected', 'sandbox connected');
});
afterAll(async () => {
  await t?.close();
});

describe('publish once', () => {
  it('is echoed once, stored once and recorded once', async () => {
    await t.core.call('messages.publish', { profileId: 'sandbox', topic: 'demo/temperature', data: '99.5', write: true, qos: 1 });
    await waitFor(() => seen.some((m) => m.envelope?.data === 99.5), 'the echo');
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.filter((m) => m.envelope?.data === 99.5)).toHaveLength(1);
    const history = (await t.core.call('messages.history', { profileId: 'sandbox', topic: 'demo/temperature' })) as MessageDTO[];
    expect(history.filter((m) => m.envelope?.data === 99.5)).toHaveLength(1);
    const published = (await t.core.call('composer.history', {})) as PublishHistoryEntry[];
    expect(published.filter((p) => p.data === '99.5')).toHaveLength(1);
  });
});
