/**
 * Presence channels over WebSocket: a member of `presence-<channel>` learns who is there (`connected`), the
 * others see it `join` and `leave` (unsubscribe or disconnect); nothing crosses accounts or reaches the unauthorised.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, ALICE_HOME_TOKEN, BOB_HOME_TOKEN, type TestSandbox, startTestSandbox } from '../tools/sandbox-fixtures.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- socket.io-client 2.x is untyped CommonJS
const io = createRequire(import.meta.url)('socket.io-client') as (url: string, opts: object) => any;

interface Msg {
  channel: string;
  resource: string;
  data: unknown;
}

interface Peer {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  socket: any;
  messages: Msg[];
  /** the next message (already received or to come) matching, within 5 s */
  next(resource: string, after?: number): Promise<Msg>;
  control(event: 'subscribe' | 'unsubscribe', data: object): Promise<string>;
}

let t: TestSandbox;
const peers: Peer[] = [];

function peer(query: string): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const socket = io(t.sandbox.urls.http, { query, forceNew: true, reconnection: false, transports: ['websocket'] });
    const messages: Msg[] = [];
    socket.on('message', (m: Msg) => messages.push(m));
    const p: Peer = {
      socket,
      messages,
      next: (resource, after = 0) =>
        new Promise((ok, ko) => {
          const deadline = Date.now() + 5000;
          const poll = (): void => {
            const found = messages.slice(after).find((m) => m.resource === resource);
            if (found) return ok(found);
            if (Date.now() > deadline) return ko(new Error(`no ${resource} message`));
            setTimeout(poll, 20);
          };
          poll();
        }),
      control: (event, data) =>
        new Promise((ok, ko) => {
          const timer = setTimeout(() => ko(new Error('no control answer')), 5000);
          socket.once('control', (m: { event: string }) => {
            clearTimeout(timer);
            ok(m.event);
          });
          socket.emit('message', { version: 1, channel: 'control', event, data });
        }),
    };
    peers.push(p);
    const timer = setTimeout(() => reject(new Error('socket.io did not connect')), 5000);
    socket.on('connect', () => {
      clearTimeout(timer);
      resolve(p);
    });
  });
}

const join = (p: Peer, token = ALICE_HOME_TOKEN) =>
  p.control('subscribe', { channel: 'presence-home', resource: '*', read: true, token });

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  for (const p of peers) p.socket.close();
  await t.cleanup();
});

describe('presence channels', () => {
  it('connected lists who is there; join and leave reach the other members', async () => {
    const ann = await peer(`token=${ALICE_HOME_TOKEN}&userid=ann1&username=Ann`);
    expect(await join(ann)).toBe('subscribed');
    expect((await ann.next('connected')).data).toEqual([{ userid: 'ann1', username: 'Ann' }]);

    const bob = await peer(`token=${ALICE_HOME_TOKEN}&userid=bob2&username=Bob`);
    expect(await join(bob)).toBe('subscribed');
    expect((await bob.next('connected')).data).toEqual([
      { userid: 'ann1', username: 'Ann' },
      { userid: 'bob2', username: 'Bob' },
    ]);
    expect(await ann.next('join')).toMatchObject({ channel: 'presence-home', data: { userid: 'bob2', username: 'Bob' } });

    let seen = ann.messages.length;
    expect(await bob.control('unsubscribe', { channel: 'presence-home', resource: '*' })).toBe('unsubscribed');
    expect((await ann.next('leave', seen)).data).toEqual({ userid: 'bob2', username: 'Bob' });

    seen = ann.messages.length;
    expect(await join(bob)).toBe('subscribed');
    expect((await ann.next('join', seen)).data).toEqual({ userid: 'bob2', username: 'Bob' });
    seen = ann.messages.length;
    bob.socket.close();
    expect((await ann.next('leave', seen)).data).toEqual({ userid: 'bob2', username: 'Bob' });
    expect(bob.messages.filter((m) => m.resource === 'join')).toEqual([]); // nobody joined after bob
  });

  it('needs authorisation, and never crosses accounts', async () => {
    const stranger = await peer(`key=${ALICE.apiKey}&userid=eve`);
    expect(await stranger.control('subscribe', { channel: 'presence-home', resource: '*', read: true })).toBe('subscribeError');

    const carol = await peer(`token=${ALICE_HOME_TOKEN}&userid=carol`);
    expect(await join(carol)).toBe('subscribed');
    const dave = await peer(`token=${BOB_HOME_TOKEN}&userid=dave`);
    expect(await join(dave, BOB_HOME_TOKEN)).toBe('subscribed');
    expect((await dave.next('connected')).data).toEqual([{ userid: 'dave', username: '' }]);
    const seen = carol.messages.length;
    dave.socket.close();
    const other = await peer(`token=${ALICE_HOME_TOKEN}&userid=frank`);
    expect(await join(other)).toBe('subscribed');
    await carol.next('join', seen); // frank's join arrives; dave's join and leave never did
    expect(carol.messages.slice(seen).map((m) => (m.data as { userid: string }).userid)).toEqual(['frank']);
    expect(stranger.messages).toEqual([]);
  });
});
