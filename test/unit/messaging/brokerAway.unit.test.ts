import kafkajs, { type Consumer } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isBrokerAway, restartWhenBrokerAway } from '../../../src/messaging/kafkajs/brokerAway.ts';

const { KafkaJSConnectionError, KafkaJSGroupCoordinatorNotFound, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } = kafkajs;
/** kafkajs's error classes as its JavaScript builds them: its types declare narrower constructors. */
const make = (kind: unknown, ...args: unknown[]): Error => new (kind as new (...a: unknown[]) => Error)(...args);

/** Just enough of a kafkajs consumer: its instrumentation events and its logger. */
function fakeConsumer() {
  const listeners = new Map<string, ((event: { payload: unknown }) => void)[]>();
  const events = { CRASH: 'crash', GROUP_JOIN: 'group_join', DISCONNECT: 'disconnect' };
  const logged: string[] = [];
  const consumer = {
    events,
    on(name: string, listener: (event: { payload: unknown }) => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return () => listeners.set(name, (listeners.get(name) ?? []).filter((l) => l !== listener));
    },
    logger: () => ({ error: (message: string) => void logged.push(message) }),
  };
  const emit = (name: keyof typeof events, payload: unknown = {}) => (listeners.get(events[name]) ?? []).forEach((l) => l({ payload }));
  return { consumer: consumer as unknown as Consumer, emit, logged };
}

// kafkajs's crash when the broker stopped: the lookup's error, wrapped by the runner's retrier.
const coordinatorNotFound = () => {
  const cause = make(KafkaJSGroupCoordinatorNotFound, 'Failed to find group coordinator');
  return make(KafkaJSNonRetriableError, cause, { cause });
};

describe('a broker that is away', () => {
  it('is told from kafkajs errors anywhere in the cause chain, and nothing else is', () => {
    const refused = make(KafkaJSConnectionError, 'Connection error: connect ECONNREFUSED 127.0.0.1:19092', { code: 'ECONNREFUSED' });
    expect(isBrokerAway(coordinatorNotFound())).toBe(true);
    expect(isBrokerAway(make(KafkaJSNonRetriableError, refused, { cause: refused }))).toBe(true);
    expect(isBrokerAway(make(KafkaJSNumberOfRetriesExceeded, refused, { retryCount: 10, retryTime: 5000 }))).toBe(true);
    expect(isBrokerAway(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isBrokerAway(make(KafkaJSProtocolError, { message: 'loading', type: 'GROUP_LOAD_IN_PROGRESS', code: 14, retriable: true }))).toBe(true);

    const lostMember = make(KafkaJSProtocolError, { message: 'unknown member', type: 'UNKNOWN_MEMBER_ID', code: 25, retriable: false });
    expect(isBrokerAway(make(KafkaJSNonRetriableError, lostMember, { cause: lostMember }))).toBe(false);
    expect(isBrokerAway(new TypeError('x is undefined'))).toBe(false);
    expect(isBrokerAway(undefined)).toBe(false);
  });

  describe('a consumer kafkajs gave up on', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('is started again, waiting longer while the broker stays away, and says so as kafkajs does', () => {
      const { consumer, emit, logged } = fakeConsumer();
      const run = vi.fn(async () => undefined);
      const restarts = restartWhenBrokerAway(consumer, run);
      emit('CRASH', { error: coordinatorNotFound(), restart: false, groupId: 'g' });
      vi.advanceTimersByTime(999);
      expect(run).toHaveBeenCalledTimes(0);
      vi.advanceTimersByTime(1);
      expect(run).toHaveBeenCalledTimes(1);
      emit('CRASH', { error: coordinatorNotFound(), restart: false, groupId: 'g' });
      vi.advanceTimersByTime(1_999);
      expect(run).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(1);
      expect(run).toHaveBeenCalledTimes(2);
      expect(logged.every((line) => line.startsWith('Restarting the consumer'))).toBe(true);
      expect(logged).toHaveLength(2);
      // Back in the group: the next outage starts from the shortest wait again.
      emit('GROUP_JOIN');
      emit('CRASH', { error: coordinatorNotFound(), restart: false, groupId: 'g' });
      vi.advanceTimersByTime(1_000);
      expect(run).toHaveBeenCalledTimes(3);
      restarts.stop();
    });

    it('is left to kafkajs when it restarts it, and left stopped for any other cause', () => {
      const { consumer, emit } = fakeConsumer();
      const run = vi.fn(async () => undefined);
      const restarts = restartWhenBrokerAway(consumer, run);
      emit('CRASH', { error: coordinatorNotFound(), restart: true, groupId: 'g' });
      emit('CRASH', { error: new TypeError('a bug'), restart: false, groupId: 'g' });
      vi.advanceTimersByTime(60_000);
      expect(run).not.toHaveBeenCalled();
      restarts.stop();
    });

    it('is not started again once its owner disconnected it, or stopped watching', () => {
      const { consumer, emit } = fakeConsumer();
      const run = vi.fn(async () => undefined);
      const restarts = restartWhenBrokerAway(consumer, run);
      emit('CRASH', { error: coordinatorNotFound(), restart: false, groupId: 'g' });
      emit('DISCONNECT');
      vi.advanceTimersByTime(60_000);
      expect(run).not.toHaveBeenCalled();
      emit('CRASH', { error: coordinatorNotFound(), restart: false, groupId: 'g' });
      restarts.stop();
      vi.advanceTimersByTime(60_000);
      expect(run).not.toHaveBeenCalled();
    });
  });
});
