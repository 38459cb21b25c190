import { describe, expect, it } from 'vitest';
import type { History } from './history.ts';
import { checkInvariants, type Liveness } from './invariants.ts';
import type { PlannedCommand } from './load.ts';

// The checker must fail when the history is wrong, or a green fault run proves nothing.

const counter = '00000000-0000-4000-8000-000000000001';
const planned: PlannedCommand[] = [1, 2, 3].map((by, i) => ({
  commandUuid: `c${i}`,
  aggregate: counter,
  by,
  round: i,
  expected: 'accepted',
  totalAfter: [1, 3, 6][i]!,
  resend: false,
}));
const totals = [1, 3, 6];

function cleanHistory(): History {
  const events = planned.map((c, i) => ({
    position: BigInt(i + 1),
    streamId: counter,
    version: BigInt(i + 1),
    eventUuid: `e${i}`,
    type: 'Incremented',
    data: { counter_uuid: counter, by: c.by, total: totals[i]! },
    causedBy: c.commandUuid,
  }));
  const digest = { counters: { rows: 1, checksum: 'x' } };
  return {
    load: { planned, acknowledged: new Set(planned.map((c) => c.commandUuid)), failedSends: 0, unansweredResends: 0, produced: 3, startedAt: 0, endedAt: 1 },
    commands: planned.map((c, i) => ({ commandUuid: c.commandUuid, aggregateUuid: counter, outcome: 'accepted', eventUuids: [`e${i}`] })),
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

const live: Liveness = { recoveredInMs: 1000, boundMs: 60_000, checkpointRegressions: [], deadConsumers: [] };
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
    expect(workerMissed.violations[0]).toMatch(/on the command topic at partition 0 offset 2$/);
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

  it('catches no recovery, a stray dead letter, a checkpoint moved back and a dead consumer (I6)', () => {
    expect(broken(cleanHistory(), { ...live, recoveredInMs: undefined })).toEqual(['I6']);
    const h = cleanHistory();
    h.deadLetters['counter.commands.dlq'] = { messages: 1, distinct: 1, codes: { REGISTRY_UNAVAILABLE: 1 } };
    expect(broken(h)).toEqual(['I6']);
    expect(broken(cleanHistory(), { ...live, checkpointRegressions: ['g t[0]: moved back'] })).toEqual(['I6']);
    expect(broken(cleanHistory(), { ...live, deadConsumers: ['worker-1'] })).toEqual(['I6']);
  });
});
