import { describe, expect, it } from 'vitest';
import { coalescedSends } from '../../../src/messaging/coalescedSends.ts';

/** A sender whose requests the test answers one by one, recording what each carried. */
function heldRequests(refuse: (items: readonly string[]) => Error | undefined = () => undefined) {
  const requests: string[][] = [];
  const answers: (() => void)[] = [];
  const sendNow = (items: readonly string[]) =>
    new Promise<void>((resolve, reject) => {
      requests.push([...items]);
      answers.push(() => {
        const refusal = refuse(items);
        if (refusal) reject(refusal);
        else resolve();
      });
    });
  /** Answers every request out so far, then lets the sender send what waited. */
  const answerAll = async () => {
    while (answers.length > 0) {
      answers.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { requests, sendNow, answerAll };
}

const outcomes = (sends: Promise<void>[]) => Promise.all(sends.map((s) => s.then(() => 'sent', (e: Error) => e.message)));
const brokerAway = (error: unknown) => (error as Error).message === 'broker away';

describe('coalesced sends', () => {
  it('sends the first at once and those made while it is out together in the next, in the order they were made', async () => {
    const held = heldRequests();
    const send = coalescedSends(held.sendNow, brokerAway);
    const sends = [send(['a'])];
    expect(held.requests).toEqual([['a']]);
    sends.push(send(['b']), send(['c', 'd']), send(['e']));
    const settled = outcomes(sends);
    await held.answerAll();
    expect(await settled).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(held.requests).toEqual([['a'], ['b', 'c', 'd', 'e']]);
  });

  it('sends each of a refused request\'s sends again alone: only the send the broker refuses fails', async () => {
    const held = heldRequests((items) => (items.includes('too large') ? new Error('MESSAGE_TOO_LARGE') : undefined));
    const send = coalescedSends(held.sendNow, brokerAway);
    const settled = outcomes([send(['a']), send(['b']), send(['too large']), send(['c'])]);
    await held.answerAll();
    expect(await settled).toEqual(['sent', 'sent', 'MESSAGE_TOO_LARGE', 'sent']);
    expect(held.requests).toEqual([['a'], ['b', 'too large', 'c'], ['b'], ['too large'], ['c']]);
  });

  it('fails every send of a request when the broker is away, without sending each again', async () => {
    const held = heldRequests((items) => (items.length > 1 ? new Error('broker away') : undefined));
    const send = coalescedSends(held.sendNow, brokerAway);
    const settled = outcomes([send(['a']), send(['b']), send(['c'])]);
    await held.answerAll();
    expect(await settled).toEqual(['sent', 'broker away', 'broker away']);
    expect(held.requests).toEqual([['a'], ['b', 'c']]);
  });

  it('keeps sending after a failure: the next send goes at once', async () => {
    const held = heldRequests((items) => (items.includes('bad') ? new Error('refused') : undefined));
    const send = coalescedSends(held.sendNow, brokerAway);
    const first = outcomes([send(['bad'])]);
    await held.answerAll();
    expect(await first).toEqual(['refused']);
    const next = send(['a']);
    expect(held.requests.at(-1)).toEqual(['a']);
    await held.answerAll();
    await expect(next).resolves.toBeUndefined();
  });
});
