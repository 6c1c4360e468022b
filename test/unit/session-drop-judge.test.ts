import { describe, expect, it } from 'vitest';
import { DropJudge, POISON_WINDOW_MS, QUIET_MAX_MS, QUIET_MIN_MS } from '../../electron/core/session/drop-judge.js';

/** A connection that got its CONNACK at `at`, answered at once, and dropped `after` ms after the send at `sentAt`. */
const drop = (id: number, connectedAt: number, sentAfter: number, droppedAfter: number, answeredBeforeSend = true) => ({
  id,
  connectedAt,
  sentAt: connectedAt + sentAfter,
  droppedAt: connectedAt + sentAfter + droppedAfter,
  answeredBeforeSend,
});

describe('DropJudge: a refusing broker or a flapping link', () => {
  it('three drops right after the send, each on a connection that answered and stayed up idle, set the message aside', () => {
    const judge = new DropJudge();
    expect(judge.messageDrop('p', drop(7, 0, QUIET_MIN_MS, 5))).toBe('strike');
    expect(judge.messageDrop('p', drop(7, 10_000, QUIET_MIN_MS, 5))).toBe('strike');
    expect(judge.messageDrop('p', drop(7, 20_000, QUIET_MIN_MS, 5))).toBe('dead');
    expect(judge.suspect('p')).toBeUndefined();
  });

  it('a drop right after CONNACK, or on a link that never answered, makes a suspect but no strike', () => {
    const judge = new DropJudge();
    expect(judge.messageDrop('p', drop(7, 0, 10, 1000))).toBe('suspect'); // sent 10 ms after CONNACK
    expect(judge.suspect('p')).toEqual({ id: 7, strikes: 0, quietMs: 2020 }); // must outlast a connection's age at death, twice
    for (let i = 1; i <= 5; i++) expect(judge.messageDrop('p', drop(7, i * 10_000, 5000, 100, false))).toBe('suspect');
    expect(judge.suspect('p')?.strikes).toBe(0);
  });

  it('a drop with nothing in flight is the link: it wipes the strikes and lengthens the quiet time', () => {
    const judge = new DropJudge();
    judge.messageDrop('p', drop(7, 0, QUIET_MIN_MS, 5));
    judge.messageDrop('p', drop(7, 10_000, QUIET_MIN_MS, 5));
    expect(judge.suspect('p')?.strikes).toBe(2);
    judge.linkDrop('p', 20_000, 21_500);
    expect(judge.suspect('p')).toEqual({ id: 7, strikes: 0, quietMs: 3000 });
    // a send before the new quiet time is over proves nothing
    expect(judge.messageDrop('p', drop(7, 30_000, 2000, 5))).toBe('suspect');
    expect(judge.suspect('p')?.quietMs).toBe(4010); // that connection died at 2005 ms
    expect(judge.messageDrop('p', drop(7, 40_000, 4010, 5))).toBe('strike');
    judge.linkDrop('p', 0, QUIET_MAX_MS / 2);
    expect(judge.suspect('p')?.quietMs).toBe(QUIET_MAX_MS);
  });

  it('a connection that lived long before it dropped does not lengthen the quiet time (a broker restart mid-publish)', () => {
    const judge = new DropJudge();
    // no subscription, so nothing was answered: an unproven drop, ten minutes into the connection
    expect(judge.messageDrop('p', drop(7, 0, 600_000, 50, false))).toBe('suspect');
    expect(judge.suspect('p')?.quietMs).toBe(QUIET_MIN_MS);
    judge.linkDrop('p', 0, 600_000);
    expect(judge.suspect('p')?.quietMs).toBe(QUIET_MIN_MS);
  });

  it('a drop long after the send is no evidence either way; an acknowledged suspect is cleared', () => {
    const judge = new DropJudge();
    expect(judge.messageDrop('p', drop(7, 0, QUIET_MIN_MS, POISON_WINDOW_MS + 1))).toBe('late');
    expect(judge.suspect('p')).toBeUndefined();
    judge.messageDrop('p', drop(7, 0, QUIET_MIN_MS, 5));
    judge.cleared('p', 8);
    expect(judge.suspect('p')?.id).toBe(7);
    judge.cleared('p', 7);
    expect(judge.suspect('p')).toBeUndefined();
    judge.linkDrop('p', 0, 1); // nothing suspected: nothing to do
    expect(judge.suspect('p')).toBeUndefined();
  });

  it('another message that fails starts its own count, and profiles are apart', () => {
    const judge = new DropJudge();
    judge.messageDrop('p', drop(7, 0, QUIET_MIN_MS, 5));
    judge.messageDrop('p', drop(7, 0, QUIET_MIN_MS, 5));
    expect(judge.messageDrop('p', drop(8, 0, QUIET_MIN_MS, 5))).toBe('strike');
    expect(judge.suspect('p')).toMatchObject({ id: 8, strikes: 1 });
    expect(judge.suspect('q')).toBeUndefined();
    judge.forget('p');
    expect(judge.suspect('p')).toBeUndefined();
  });
});
