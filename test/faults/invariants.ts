import type { History } from './history.ts';

/**
 * The invariants of issue 5, checked over the complete history of one run:
 * I1 no loss, I2 no double effect, I3 order, I4 complete publication, I5 replay equals live,
 * I6 liveness (lag back to zero within the bound, dead letters equal to the poison injected, no
 * process crashed but those the fault killed).
 */
export interface Verdict {
  readonly invariant: 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6';
  readonly ok: boolean;
  /** What was checked, in one line. */
  readonly checked: string;
  /** Every violation found (the first 20), each naming the command, event or aggregate. */
  readonly violations: string[];
}

export interface Liveness {
  /** Milliseconds from the heal to zero lag in every group; undefined when it never came. */
  readonly recoveredInMs: number | undefined;
  readonly boundMs: number;
  /** Committed offsets that went backwards while the run was watched (a zombie's late commit). */
  readonly checkpointRegressions: string[];
  /** Consumers that crashed and were not restarted, while their process lived on. */
  readonly deadConsumers: string[];
  /** Processes that exited though no fault asked for it (a crash, a watchdog's exit 70), restarted or not. */
  readonly unexpectedExits: string[];
}

export interface Expectations {
  /** Events the scenario expects to be recorded as projection failures (poison handler). */
  readonly poisonEvents?: (event: History['events'][number]) => boolean;
  /**
   * Whether one aggregate's events reach its topic in version order (first copies). True for one
   * owner per aggregate; fault 8 forces two owners and checks only the log.
   */
  readonly topicOrder?: boolean;
  /** False when the run had no projector (fault 8): the projection checks are left out. */
  readonly projection?: boolean;
}

const verdict = (invariant: Verdict['invariant'], checked: string, violations: string[]): Verdict => ({
  invariant,
  ok: violations.length === 0,
  checked,
  violations: violations.slice(0, 20).concat(violations.length > 20 ? [`… and ${violations.length - 20} more`] : []),
});

export function checkInvariants(h: History, liveness: Liveness, expect: Expectations = {}): Verdict[] {
  const planned = new Map(h.load.planned.map((c) => [c.commandUuid, c]));
  const commandRows = new Map(h.commands.map((c) => [c.commandUuid, c]));
  const eventsByCommand = new Map<string, History['events']>();
  for (const e of h.events) eventsByCommand.set(e.causedBy, [...(eventsByCommand.get(e.causedBy) ?? []), e]);

  // I1: every acknowledged command has exactly one outcome, the one the decider must give it.
  // Where a command has none, its place on the command topic says whose loss it is.
  const onCommandTopic = new Map(h.commandTopic.map((m) => [m.headers['command-uuid'], `partition ${m.partition} offset ${m.offset}`]));
  const whereOnTopic = (uuid: string) => (onCommandTopic.has(uuid) ? `; it is on the command topic at ${onCommandTopic.get(uuid)}` : '; it is not on the command topic');
  const i1: string[] = [];
  for (const uuid of h.load.acknowledged) {
    const row = commandRows.get(uuid);
    const plan = planned.get(uuid)!;
    if (!row) i1.push(`command ${uuid} (counter ${plan.aggregate}, round ${plan.round}) was acknowledged but has no outcome row${whereOnTopic(uuid)}`);
    else if (row.outcome === null) i1.push(`command ${uuid} (counter ${plan.aggregate}, round ${plan.round}) was claimed but has no outcome`);
    else if (row.outcome !== plan.expected) i1.push(`command ${uuid} (counter ${plan.aggregate}, round ${plan.round}, by ${plan.by}): outcome ${row.outcome}, expected ${plan.expected}`);
  }
  for (const row of h.commands) if (!planned.has(row.commandUuid)) i1.push(`outcome row for ${row.commandUuid}, a command the load never sent`);

  // I2: no event twice, one append per version, one application per (projector, event).
  const i2: string[] = [];
  const seenUuids = new Set<string>();
  const seenVersions = new Set<string>();
  for (const e of h.events) {
    if (seenUuids.has(e.eventUuid)) i2.push(`event uuid ${e.eventUuid} recorded twice`);
    seenUuids.add(e.eventUuid);
    const key = `${e.streamId}@${e.version}`;
    if (seenVersions.has(key)) i2.push(`counter ${e.streamId} has two events at version ${e.version}`);
    seenVersions.add(key);
  }
  // Every command with an outcome is counted, not only those with events: a rejected command whose
  // refusal event is missing caused 0 events, and its outcome row must list exactly what the log holds.
  const eventTypeOf: Record<string, string | undefined> = { accepted: 'Incremented', rejected: 'LimitReached', invalid: undefined };
  for (const uuid of new Set([...eventsByCommand.keys(), ...h.commands.map((c) => c.commandUuid)])) {
    const events = eventsByCommand.get(uuid) ?? [];
    const row = commandRows.get(uuid);
    const outcome = row?.outcome ?? null;
    if (!row) i2.push(`command ${uuid} caused ${events.length} events but has no outcome row`);
    if (row && outcome === null && events.length > 0) i2.push(`command ${uuid} caused ${events.length} events but has no outcome`);
    if (!row || outcome === null) continue;
    const type = eventTypeOf[outcome];
    const expected = type ? 1 : 0;
    if (events.length !== expected) i2.push(`command ${uuid} (${outcome}) caused ${events.length} events, expected ${expected}`);
    for (const e of events) if (e.type !== type) i2.push(`command ${uuid} (${outcome}) caused a ${e.type} event ${e.eventUuid}`);
    const listed = [...row.eventUuids].sort().join(',');
    const inLog = events.map((e) => e.eventUuid).sort().join(',');
    if (listed !== inLog) i2.push(`command ${uuid} (${outcome}): processed_commands lists events [${listed}], the log has [${inLog}] caused by it`);
  }
  const withProjection = expect.projection ?? true;
  const projected = new Set(h.projected);
  if (projected.size !== h.projected.length) i2.push('a (projector, event uuid) pair is recorded twice');
  if (withProjection) for (const e of h.events) if (!projected.has(e.eventUuid)) i2.push(`event ${e.eventUuid} (counter ${e.streamId} v${e.version}) was never projected`);
  for (const uuid of projected) if (!seenUuids.has(uuid)) i2.push(`projected event ${uuid} is not in the event log`);
  const skipped = new Set(h.failures.filter((f) => f.status === 'skipped').map((f) => f.eventUuid));
  const byCounter = new Map<string, History['events']>();
  for (const e of h.events) byCounter.set(e.streamId, [...(byCounter.get(e.streamId) ?? []), e]);
  const readModel = new Map(h.readModel.map((r) => [r.counterUuid, r]));
  // When every command was acknowledged, each counter ends at the total the plan computed.
  if (h.load.acknowledged.size === planned.size) {
    const finalTotals = new Map<string, number>();
    for (const c of h.load.planned) finalTotals.set(c.aggregate, c.totalAfter);
    for (const [counter, total] of finalTotals) {
      const last = (byCounter.get(counter) ?? []).filter((e) => e.type === 'Incremented').reduce<History['events'][number] | undefined>((a, b) => (!a || b.version > a.version ? b : a), undefined);
      if ((last?.data.total ?? 0) !== total) i2.push(`counter ${counter} ends at ${last?.data.total ?? 0} in the log, the plan adds up to ${total}`);
    }
  }
  for (const [counter, events] of byCounter) {
    const incremented = events.filter((e) => e.type === 'Incremented');
    const applied = incremented.filter((e) => !skipped.has(e.eventUuid));
    const row = readModel.get(counter);
    if (!withProjection) {
      checkChain(counter, incremented, i2);
      continue;
    }
    if (applied.length === 0) {
      if (row) i2.push(`counter ${counter} has a read-model row but no applied increment`);
      continue;
    }
    if (!row) {
      i2.push(`counter ${counter} has ${applied.length} increments but no read-model row`);
      continue;
    }
    if (row.applied !== applied.length) i2.push(`counter ${counter}: the projection applied ${row.applied} increments, the log has ${applied.length}`);
    const last = applied.reduce((a, b) => (a.version > b.version ? a : b));
    if (row.total !== BigInt(last.data.total)) i2.push(`counter ${counter}: read model total ${row.total}, log total ${last.data.total}`);
    checkChain(counter, incremented, i2);
  }

  // I3: versions gapless per aggregate; no projection applied n+1 before n; first copies in version order on the topic.
  const i3: string[] = [];
  for (const [counter, events] of byCounter) {
    const versions = events.map((e) => e.version).sort((a, b) => Number(a - b));
    if (versions.some((v, i) => v !== BigInt(i + 1))) i3.push(`counter ${counter}: versions ${versions.join(',')} are not 1..${versions.length}`);
  }
  const isPoison = expect.poisonEvents ?? (() => false);
  const eventByUuid = new Map(h.events.map((e) => [e.eventUuid, e]));
  for (const f of h.failures) {
    const event = eventByUuid.get(f.eventUuid);
    if (!event || !isPoison(event)) i3.push(`projection failure (${f.status}) on event ${f.eventUuid} of counter ${f.aggregateUuid}: ${f.error}`);
  }
  for (const e of h.events) {
    if (isPoison(e) && !h.failures.some((f) => f.eventUuid === e.eventUuid)) i3.push(`poison event ${e.eventUuid} was not recorded as a projection failure`);
  }
  const { inversions, splitCounters } = firstCopies(h);
  i3.push(...splitCounters);
  if (expect.topicOrder ?? true) i3.push(...inversions);

  // I4: every event of the log is on its topic (duplicates dropped by uuid), and nothing else is.
  const i4: string[] = [];
  const onTopic = new Map<string, History['eventTopic'][number]>();
  for (const m of h.eventTopic) {
    const uuid = m.headers['event-uuid'];
    if (uuid && !onTopic.has(uuid)) onTopic.set(uuid, m);
  }
  for (const e of h.events) {
    const m = onTopic.get(e.eventUuid);
    if (!m) i4.push(`event ${e.eventUuid} (counter ${e.streamId} v${e.version}) never reached the event topic`);
    else if (m.key !== e.streamId || m.headers['aggregate-version'] !== String(e.version) || m.headers['event-type'] !== e.type) {
      i4.push(`event ${e.eventUuid} reached the topic as ${m.key} v${m.headers['aggregate-version']} ${m.headers['event-type']}`);
    }
  }
  for (const uuid of onTopic.keys()) if (!eventByUuid.has(uuid)) i4.push(`event ${uuid} is on the topic but not in the log`);

  // I5: a fresh replay of the log equals the live read model.
  const i5: string[] = [];
  if (withProjection) for (const [table, live] of Object.entries(h.liveDigest)) {
    const replay = h.replayDigest[table];
    if (!replay || replay.rows !== live.rows || replay.checksum !== live.checksum) {
      i5.push(`${table}: live ${live.rows} rows (${live.checksum}), replay ${replay?.rows} rows (${replay?.checksum})`);
    }
  }

  // I6: lag back to zero within the bound; dead letters exactly the poison injected; no checkpoint moved back.
  const i6: string[] = [];
  if (liveness.recoveredInMs === undefined) i6.push(`lag did not return to zero within ${liveness.boundMs} ms of the heal`);
  else if (liveness.recoveredInMs > liveness.boundMs) i6.push(`lag returned to zero ${liveness.recoveredInMs} ms after the heal, over the bound of ${liveness.boundMs} ms`);
  // A redelivered poison message is dead-lettered again (at least once, like everything else): count
  // distinct source messages (topic, partition, offset), and only poison error codes.
  const poisonCodes = new Set(['NOT_WIRE_FORMAT', 'UNKNOWN_SCHEMA_ID', 'UNDECODABLE', 'BAD_KEY', 'BAD_HEADERS', 'UNKNOWN_MESSAGE_TYPE', 'INVALID_DATA']);
  for (const [topic, { distinct, codes }] of Object.entries(h.deadLetters)) {
    const expected = h.expectedDeadLetters[topic] ?? 0;
    if (distinct !== expected) i6.push(`${topic} holds ${distinct} distinct dead letters, ${expected} poison messages were injected`);
    for (const [code, n] of Object.entries(codes)) if (!poisonCodes.has(code)) i6.push(`${topic} holds ${n} messages dead-lettered for ${code}, which is no poison`);
  }
  i6.push(...liveness.checkpointRegressions, ...liveness.deadConsumers, ...liveness.unexpectedExits);

  return [
    verdict('I1', `${h.load.acknowledged.size} acknowledged commands each have one outcome, the expected one`, i1),
    verdict('I2', `${h.events.length} events: unique uuids and versions, one per accepted or rejected command, as its outcome row lists; ${h.readModel.length} counters applied once each`, i2),
    verdict('I3', `versions gapless over ${byCounter.size} counters; no out-of-order application; first copies in order on the topic`, i3),
    verdict('I4', `${h.events.length} events of the log on the topic (${h.eventTopic.length} messages with duplicates)`, i4),
    verdict('I5', 'a replay of the event log equals the live read model', i5),
    verdict('I6', `lag zero within ${liveness.boundMs} ms of the heal; dead letters equal poison injected; checkpoints never moved back; no consumer left dead; no process exited unless the fault killed it`, i6),
  ];
}

/** No lost update: each increment was decided on the state the one before it left. */
function checkChain(counter: string, incremented: History['events'], out: string[]): void {
  let total = 0;
  for (const e of [...incremented].sort((a, b) => Number(a.version - b.version))) {
    if (e.data.total !== total + (e.data.by ?? 0)) out.push(`counter ${counter} v${e.version}: total ${e.data.total} is not ${total} + ${e.data.by}`);
    total = e.data.total;
  }
}

/**
 * Walks each partition of the event topic in offset order, keeping the first copy of each event:
 * versions of an aggregate whose first copy came after a later version's, and aggregates found on
 * more than one partition.
 */
function firstCopies(h: History): { inversions: string[]; splitCounters: string[] } {
  const firstSeen = new Map<string, { version: bigint; partition: number }>();
  const seen = new Set<string>();
  const inversions: string[] = [];
  const splitCounters: string[] = [];
  for (const m of [...h.eventTopic].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset))) {
    const uuid = m.headers['event-uuid'];
    if (!uuid || seen.has(uuid) || !m.key) continue;
    seen.add(uuid);
    const version = BigInt(m.headers['aggregate-version'] ?? '0');
    const before = firstSeen.get(m.key);
    if (before && before.partition !== m.partition) splitCounters.push(`counter ${m.key} is on partitions ${before.partition} and ${m.partition}`);
    if (before && version <= before.version) inversions.push(`counter ${m.key}: v${version} first reached partition ${m.partition} at offset ${m.offset}, after v${before.version}`);
    else firstSeen.set(m.key, { version, partition: m.partition });
  }
  return { inversions, splitCounters };
}

/** How many versions first reached the topic after a later version of their aggregate. */
export const topicOrderInversions = (h: History): number => firstCopies(h).inversions.length;

/** One readable failure message listing every broken invariant. */
export function describeViolations(verdicts: readonly Verdict[]): string {
  return verdicts
    .filter((v) => !v.ok)
    .map((v) => `${v.invariant} (${v.checked}):\n  ${v.violations.join('\n  ')}`)
    .join('\n');
}
