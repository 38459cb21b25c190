import type { Consumer } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchForStall, type StuckReason } from '../../../src/messaging/stallWatchdog.ts';

/** Just enough of a kafkajs consumer for the watchdog: its instrumentation events. */
function fakeConsumer() {
  const listeners = new Map<string, ((event: { payload: unknown }) => void)[]>();
  const events = { FETCH: 'fetch', REBALANCING: 'rebalancing', GROUP_JOIN: 'group_join', CRASH: 'crash' };
  const consumer = {
    events,
    on(name: string, listener: (event: { payload: unknown }) => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return () => listeners.set(name, (listeners.get(name) ?? []).filter((l) => l !== listener));
    },
  };
  const emit = (name: keyof typeof events, payload: unknown = {}) => (listeners.get(events[name]) ?? []).forEach((l) => l({ payload }));
  return { consumer: consumer as unknown as Consumer, emit };
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
    emit('GROUP_JOIN');
    for (let second = 0; second < 10; second++) {
      vi.advanceTimersByTime(1_000);
      emit('FETCH');
    }
    expect(stuck).toEqual([]);
    vi.advanceTimersByTime(7_000);
    expect(stuck).toEqual(['fetches-unanswered']);
    watchdog.stop();
    vi.advanceTimersByTime(20_000);
    expect(stuck).toEqual(['fetches-unanswered']);
  });

  it('counts a slow chunk, a rebalance and a restart kafkajs is retrying as work, not a stall', async () => {
    const { consumer, emit } = fakeConsumer();
    const watchdog = watchForStall(consumer, 5_000, onStuck);
    emit('GROUP_JOIN');
    emit('CRASH', { error: new Error('Connection error: connect ECONNREFUSED'), restart: true });
    vi.advanceTimersByTime(30_000);
    emit('GROUP_JOIN');
    let finish: () => void = () => undefined;
    const chunk = watchdog.working(() => new Promise<void>((resolve) => (finish = resolve)));
    vi.advanceTimersByTime(30_000);
    finish();
    await chunk;
    emit('REBALANCING');
    vi.advanceTimersByTime(30_000);
    expect(stuck).toEqual([]);
    emit('GROUP_JOIN');
    vi.advanceTimersByTime(7_000);
    expect(stuck).toEqual(['fetches-unanswered']);
    watchdog.stop();
  });

  it('reports a crash kafkajs will not restart from, and ignores one it restarts', () => {
    const { consumer, emit } = fakeConsumer();
    const watchdog = watchForStall(consumer, 60_000, onStuck);
    emit('CRASH', { error: new Error('The coordinator is loading'), restart: true });
    expect(stuck).toEqual([]);
    emit('CRASH', { error: new Error('UNKNOWN_MEMBER_ID'), restart: false });
    expect(stuck).toEqual(['crashed-for-good']);
    watchdog.stop();
  });

  it('counts a crash someone else restarts (the broker away) as waiting, not a consumer gone for good', () => {
    const { consumer, emit } = fakeConsumer();
    const restartedElsewhere = (error: Error) => error.message.includes('group coordinator');
    const watchdog = watchForStall(consumer, 5_000, onStuck, { restartedElsewhere });
    emit('GROUP_JOIN');
    emit('CRASH', { error: new Error('Failed to find group coordinator'), restart: false });
    vi.advanceTimersByTime(60_000);
    expect(stuck).toEqual([]);
    emit('GROUP_JOIN');
    emit('CRASH', { error: new Error('UNKNOWN_MEMBER_ID'), restart: false });
    expect(stuck).toEqual(['crashed-for-good']);
    watchdog.stop();
  });

  it('waits while the broker cannot be reached, and starts its clock again once it can', () => {
    const { consumer, emit } = fakeConsumer();
    let unreachable = true;
    const watchdog = watchForStall(consumer, 5_000, onStuck, { brokerUnreachable: () => unreachable });
    emit('GROUP_JOIN');
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
