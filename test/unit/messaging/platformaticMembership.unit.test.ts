import { EventEmitter } from 'node:events';
import type { Consumer } from '@platformatic/kafka';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../src/logger.ts';
import { keepingMembership } from '../../../src/messaging/platformatic/membership.ts';

const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined, traceEnabled: false };

/** A consumer that only emits what 1.22 emits and counts the joins asked of it (the code under test is the rule, not the client). */
function fakeConsumer(joinAnswers: ('ok' | 'fail')[]) {
  const emitter = new EventEmitter();
  const joins: number[] = [];
  const joinGroup = () => {
    joins.push(Date.now());
    return joinAnswers.shift() === 'fail' ? Promise.reject(new Error('joinGroup failed 11 times.')) : Promise.resolve('member-2');
  };
  return { emitter, joins, consumer: Object.assign(emitter, { joinGroup }) as unknown as Consumer<Buffer, Buffer, Buffer, Buffer> };
}
const refused = (apiId: string) => Object.assign(new Error('Received response with error while executing API OffsetCommit(v9)'), { errors: [{ apiId }] });

describe('keeping a @platformatic/kafka 1.22 consumer in its group', () => {
  afterEach(() => vi.useRealTimers());

  it('joins again after a failed heartbeat, and tries a failed join again after the restart wait until one succeeds', async () => {
    vi.useFakeTimers();
    const { emitter, joins, consumer } = fakeConsumer(['fail', 'fail', 'ok']);
    keepingMembership(consumer, 'g', quiet);
    emitter.emit('consumer:heartbeat:error', { error: new Error('heartbeat failed 11 times.') });
    // A second signal while the join is under way asks no second join.
    emitter.emit('error', new Error('rejoinGroup failed'));
    expect(joins).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(joins).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(joins).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(joins).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(joins).toHaveLength(3);
  });

  it('joins again on a commit refused for the membership, not on any other refusal', () => {
    const { joins, consumer } = fakeConsumer([]);
    const membership = keepingMembership(consumer, 'g', quiet);
    membership.commitRefused(refused('OFFSET_METADATA_TOO_LARGE'));
    membership.commitRefused(new Error('socket hang up'));
    expect(joins).toHaveLength(0);
    membership.commitRefused(refused('UNKNOWN_MEMBER_ID'));
    expect(joins).toHaveLength(1);
  });

  it('asks nothing once stopped, not even a join already waiting to be tried again', async () => {
    vi.useFakeTimers();
    const { emitter, joins, consumer } = fakeConsumer(['fail']);
    const membership = keepingMembership(consumer, 'g', quiet);
    emitter.emit('consumer:heartbeat:error', { error: new Error('heartbeat failed') });
    await vi.advanceTimersByTimeAsync(0);
    membership.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    emitter.emit('consumer:heartbeat:error', { error: new Error('heartbeat failed') });
    expect(joins).toHaveLength(1);
  });
});
