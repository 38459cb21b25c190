import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchForStall, type StuckReason } from '../../../src/messaging/stallWatchdog.ts';
import type { ConsumerEvents, TransportConsumer } from '../../../src/messaging/transport.ts';

/** Just enough of a transport consumer for the watchdog: its events, and whether the broker can be reached. */
function fakeConsumer(brokerUnreachable = () => false) {
  const listeners = new Map<string, ((payload: unknown) => void)[]>();
  const consumer: Pick<TransportConsumer, 'on' | 'brokerUnreachable'> = {
    on(name, listener) {
      const call = listener as (payload: unknown) => void;
      listeners.set(name, [...(listeners.get(name) ?? []), call]);
      return () => listeners.set(name, (listeners.get(name) ?? []).filter((l) => l !== call));
    },
    brokerUnreachable,
  };
  const emit = <E extends keyof ConsumerEvents>(name: E, ...payload: E extends 'crash' ? [ConsumerEvents[E]] : []) =>
    (listeners.get(name) ?? []).forEach((l) => l(payload[0] ?? {}));
  return { consumer, emit };
}

describe('the stall watchdog', () => {
  const stuck: StuckReason[] = [];
  const onStuck = (reason: StuckReason) => void stuck.push(reason);
  beforeEach(() => {
    vi.useFakeTimers();
    stuck.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('reports a consumer whose fetches go unanswered, and not one that keeps fetching', () => {
    const { consumer, emit } = fakeConsumer();
    const watchdog = watchForStall(consumer, 5_000, onStuck);
    vi.advanceTimersByTime(30_000);
    expect(stuck).toEqual([]);
    emit('group-join');
    for (let second = 0; second < 10; second++) {
      vi.advanceTimersByTime(1_000);
      emit('fetch');
    }
    expect(stuck).toEqual([]);
    vi.advanceTimersByTime(7_000);
    expect(stuck).toEqual(['fetches-unanswered']);
    watchdog.stop();
    vi.advanceTimersByTime(20_000);
    expect(stuck).toEqual(['fetches-unanswered']);
  });

  it('counts a slow chunk, a rebalance and a restart the client is retrying as work, not a stall', async () => {
    const { consumer, emit } = fakeConsumer();
    const watchdog = watchForStall(consumer, 5_000, onStuck);
    emit('group-join');
    emit('crash', { error: new Error('Connection error: connect ECONNREFUSED'), restart: true });
    vi.advanceTimersByTime(30_000);
    emit('group-join');
    let finish: () => void = () => undefined;
    const chunk = watchdog.working(() => new Promise<void>((resolve) => (finish = resolve)));
    vi.advanceTimersByTime(30_000);
    finish();
    await chunk;
    emit('rebalancing');
    vi.advanceTimersByTime(30_000);
    expect(stuck).toEqual([]);
    emit('group-join');
    vi.advanceTimersByTime(7_000);
    expect(stuck).toEqual(['fetches-unanswered']);
    watchdog.stop();
  });

  it('reports a crash nobody will restart it from, and ignores one that is restarted', () => {
    const { consumer, emit } = fakeConsumer();
    const watchdog = watchForStall(consumer, 60_000, onStuck);
    emit('crash', { error: new Error('The coordinator is loading'), restart: true });
    expect(stuck).toEqual([]);
    emit('crash', { error: new Error('UNKNOWN_MEMBER_ID'), restart: false });
    expect(stuck).toEqual(['crashed-for-good']);
    watchdog.stop();
  });

  it('waits while the broker cannot be reached, and starts its clock again once it can', () => {
    let unreachable = true;
    const { consumer, emit } = fakeConsumer(() => unreachable);
    const watchdog = watchForStall(consumer, 5_000, onStuck);
    emit('group-join');
    vi.advanceTimersByTime(60_000);
    expect(stuck).toEqual([]);
    unreachable = false;
    vi.advanceTimersByTime(4_000);
    expect(stuck).toEqual([]);
    vi.advanceTimersByTime(3_000);
    expect(stuck).toEqual(['fetches-unanswered']);
    watchdog.stop();
  });
});
