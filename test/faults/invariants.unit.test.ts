import { describe, expect, it } from 'vitest';
import type { History } from './history.ts';
import { checkInvariants, type Liveness } from './invariants.ts';
import type { PlannedCommand } from './load.ts';
import { COUNTER_LIMIT } from '../fixtures/counter/counter.ts';

// The checker must fail when the history is wrong, or a green fault run proves nothing.

const counter = '00000000-0000-4000-8000-000000000001';
// Three increments (accepted), one past the limit (rejected: a LimitReached event) and one of 0 (invalid: no event).
const planned: PlannedCommand[] = [1, 2, 3, COUNTER_LIMIT, 0].map((by, i) => ({
  commandUuid: `c${i}`,
  aggregate: counter,
  by,
  round: i,
  expected: i < 3 ? 'accepted' : i === 3 ? 'rejected' : 'invalid',
  totalAfter: [1, 3, 6, 6, 6][i]!,
  resend: false,
}));

function cleanHistory(): History {
  const events = planned
    .filter((c) => c.expected !== 'invalid')
    .map((c, i) => ({
      position: BigInt(i + 1),
      streamId: counter,
      version: BigInt(i + 1),
      eventUuid: `e${i}`,
      type: c.expected === 'accepted' ? 'Incremented' : 'LimitReached',
      data: c.expected === 'accepted' ? { counter_uuid: counter, by: c.by, total: c.totalAfter } : { counter_uuid: counter, total: c.totalAfter },
      causedBy: c.commandUuid,
    }));
  const digest = { counters: { rows: 1, checksum: 'x' } };
  return {
    load: { planned, acknowledged: new Set(planned.map((c) => c.commandUuid)), failedSends: 0, unansweredResends: 0, produced: 5, startedAt: 0, endedAt: 1 },
    commands: planned.map((c) => ({
      commandUuid: c.commandUuid,
      aggregateUuid: counter,
      outcome: c.expected,
      eventUuids: events.filter((e) => e.causedBy === c.commandUuid).map((e) => e.eventUuid),
    })),
    events,
    projected: events.map((e) => e.eventUuid),
    failures: [],
    readModel: [{ counterUuid: counter, total: 6n, applied: 3, lastVersion: 3n }],
    eventTopic: events.map((e, i) => ({
      partition: 0,
      offset: BigInt(i),
      key: counter,
      headers: { 'event-uuid': e.eventUuid, 'aggregate-version': String(e.version), 'event-type': e.type },
    })),
    commandTopic: planned.map((c, i) => ({ partition: 0, offset: BigInt(i), key: counter, headers: { 'command-uuid': c.commandUuid } })),
    deadLetters: { 'counter.commands.dlq': { messages: 0, distinct: 0, codes: {} } },
    expectedDeadLetters: { 'counter.commands.dlq': 0 },
    liveDigest: digest,
    replayDigest: structuredClone(digest),
  };
}

const live: Liveness = { recoveredInMs: 1000, boundMs: 60_000, checkpointRegressions: [], deadConsumers: [], unexpectedExits: [] };
const broken = (h: History, l: Liveness = live) => checkInvariants(h, l).filter((v) => !v.ok).map((v) => v.invariant);

describe('the fault invariants checker', () => {
  it('passes a clean history', () => {
    expect(broken(cleanHistory())).toEqual([]);
  });

  it('catches an acknowledged command without an outcome (I1)', () => {
    const h = cleanHistory();
    h.commands.pop();
    expect(broken(h)).toContain('I1');
  });

  it("says whether a command without an outcome is on its topic: the broker's loss or the worker's", () => {
    const missed = cleanHistory();
    missed.commands.pop();
    const workerMissed = checkInvariants(missed, live).find((v) => v.invariant === 'I1')!;
    expect(workerMissed.violations[0]).toMatch(/on the command topic at partition 0 offset 4$/);
    const lost = cleanHistory();
    lost.commands.pop();
    lost.commandTopic.pop();
    const brokerLost = checkInvariants(lost, live).find((v) => v.invariant === 'I1')!;
    expect(brokerLost.violations[0]).toMatch(/it is not on the command topic$/);
  });

  it('catches an event applied twice and a lost update (I2)', () => {
    const twice = cleanHistory();
    twice.readModel[0] = { ...twice.readModel[0]!, applied: 4 };
    expect(broken(twice)).toEqual(['I2']);
    const lost = cleanHistory();
    (lost.events[2]!.data as { total: number }).total = 5;
    expect(broken(lost)).toContain('I2');
  });

  it('catches a rejected command whose refusal event is missing, and an accepted one with no event (I2)', () => {
    const refusalLost = cleanHistory();
    refusalLost.events.splice(3, 1);
    refusalLost.eventTopic.splice(3, 1);
    refusalLost.projected.splice(3, 1);
    refusalLost.commands[3] = { ...refusalLost.commands[3]!, eventUuids: [] };
    const i2 = checkInvariants(refusalLost, live).find((v) => v.invariant === 'I2')!;
    expect(i2.violations).toContain('command c3 (rejected) caused 0 events, expected 1');
    const eventLost = cleanHistory();
    eventLost.events[2] = { ...eventLost.events[2]!, causedBy: 'c-unknown' };
    expect(broken(eventLost)).toContain('I2');
  });

  it('catches an invalid command that caused an event, and a refusal of the wrong type (I2)', () => {
    const h = cleanHistory();
    h.events[3] = { ...h.events[3]!, causedBy: 'c4' };
    h.commands[4] = { ...h.commands[4]!, eventUuids: ['e3'] };
    h.commands[3] = { ...h.commands[3]!, eventUuids: [] };
    const i2 = checkInvariants(h, live).find((v) => v.invariant === 'I2')!;
    expect(i2.violations).toContain('command c4 (invalid) caused 1 events, expected 0');
    const wrongType = cleanHistory();
    wrongType.events[3] = { ...wrongType.events[3]!, type: 'Incremented' };
    expect(checkInvariants(wrongType, live).find((v) => v.invariant === 'I2')!.violations).toContain('command c3 (rejected) caused a Incremented event e3');
  });

  it('compares the event uuids of processed_commands with the log (I2)', () => {
    const otherEvent = cleanHistory();
    otherEvent.commands[1] = { ...otherEvent.commands[1]!, eventUuids: ['e0'] };
    const i2 = checkInvariants(otherEvent, live).find((v) => v.invariant === 'I2')!;
    expect(i2.violations).toEqual(['command c1 (accepted): processed_commands lists events [e0], the log has [e1] caused by it']);
    const none = cleanHistory();
    none.commands[3] = { ...none.commands[3]!, eventUuids: [] };
    expect(broken(none)).toEqual(['I2']);
    const extra = cleanHistory();
    extra.commands[4] = { ...extra.commands[4]!, eventUuids: ['e9'] };
    expect(broken(extra)).toEqual(['I2']);
  });

  it('catches a gap in a stream and versions out of order on the topic (I3)', () => {
    const gap = cleanHistory();
    gap.events[2] = { ...gap.events[2]!, version: 4n };
    expect(broken(gap)).toContain('I3');
    const inverted = cleanHistory();
    inverted.eventTopic.reverse().forEach((m, i) => (inverted.eventTopic[i] = { ...m, offset: BigInt(i) }));
    expect(broken(inverted)).toEqual(['I3']);
  });

  it('catches an event that never reached its topic (I4)', () => {
    const h = cleanHistory();
    h.eventTopic.pop();
    expect(broken(h)).toEqual(['I4']);
  });

  it('catches a replay that differs from the live read model (I5)', () => {
    const h = cleanHistory();
    h.replayDigest.counters = { rows: 1, checksum: 'y' };
    expect(broken(h)).toEqual(['I5']);
  });

  it('catches no recovery, a stray dead letter, a checkpoint moved back, a dead consumer and a crash (I6)', () => {
    expect(broken(cleanHistory(), { ...live, recoveredInMs: undefined })).toEqual(['I6']);
    const h = cleanHistory();
    h.deadLetters['counter.commands.dlq'] = { messages: 1, distinct: 1, codes: { REGISTRY_UNAVAILABLE: 1 } };
    expect(broken(h)).toEqual(['I6']);
    expect(broken(cleanHistory(), { ...live, checkpointRegressions: ['g t[0]: moved back'] })).toEqual(['I6']);
    expect(broken(cleanHistory(), { ...live, deadConsumers: ['worker-1'] })).toEqual(['I6']);
    expect(broken(cleanHistory(), { ...live, unexpectedExits: ['worker-1 crashed: exit 70 that no fault asked for'] })).toEqual(['I6']);
  });
});
