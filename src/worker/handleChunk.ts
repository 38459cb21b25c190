import type { CommandEnvelope, Domain, RecordedEvent } from '../core/index.ts';
import {
  appendAndArchive,
  findProcessedUuids,
  readEventsCausedByMany,
  saveSnapshots,
  type DecidedCommand,
  type PoolClient,
} from '../eventlog/index.ts';
import { appendTo } from '../collections.ts';
import { noFaults, type FaultHooks } from '../faults.ts';
import type { Codec } from '../messaging/codec.ts';
import { decideCommand } from './decideCommand.ts';
import { sealDecided } from './sealPersonalData.ts';
import { deciderVersionOf, loadStates, snapshotDue, storableSnapshots } from './loadStates.ts';
import type { CommandResult } from './handleCommand.ts';
import type { StateCache } from './stateCache.ts';

export interface ChunkItem {
  readonly domain: Domain;
  readonly command: CommandEnvelope;
}

export interface ChunkOptions {
  /**
   * `lookUp` (in a transaction): ask which commands were processed before and answer those as
   * duplicates. `assumeNone` (on a client of its own): skip the question — a command processed
   * before makes the one append statement fail whole with CommandAlreadyProcessed, and the caller
   * asks again with `lookUp`. Redeliveries are rare, so most chunks save that round trip.
   */
  readonly processedBefore: 'lookUp' | 'assumeNone';
}

/**
 * The worker's batched path: a chunk of commands in a few round trips, whatever its size —
 * which were processed before, the streams not in the cache, then one statement appending
 * every event and archiving every command. Decisions thread the state through the chunk in
 * order, so two commands to one aggregate see each other. A conflict with a concurrent
 * writer surfaces as VersionConflict or CommandAlreadyProcessed: the caller redoes the chunk
 * on a slower path (processed commands looked up, then one command at a time: handleCommand).
 */
export async function handleChunk(
  client: PoolClient,
  items: readonly ChunkItem[],
  codec: Codec,
  cache: StateCache<unknown>,
  faults: FaultHooks = noFaults,
  { processedBefore: processed }: ChunkOptions = { processedBefore: 'lookUp' },
): Promise<CommandResult[]> {
  const processedBefore = processed === 'lookUp' ? await findProcessedUuids(client, items.map((i) => i.command.commandUuid)) : new Set<string>();
  faults.at('worker.after-dedup');

  const states = new Map<string, { version: bigint; state: unknown }>();
  const uncached = new Map<string, Domain>();
  for (const { domain, command } of items) {
    if (processedBefore.has(command.commandUuid) || states.has(command.aggregateUuid)) continue;
    const cached = cache.get(command.aggregateUuid);
    if (cached) states.set(command.aggregateUuid, cached);
    else uncached.set(command.aggregateUuid, domain);
  }
  const byDomain = new Map<Domain, string[]>();
  for (const [aggregateUuid, domain] of uncached) appendTo(byDomain, domain, aggregateUuid);
  for (const [domain, aggregateUuids] of byDomain) {
    for (const [aggregateUuid, loaded] of await loadStates(client, domain, aggregateUuids, codec)) states.set(aggregateUuid, loaded);
  }
  const versionsBefore = new Map([...states].map(([aggregateUuid, { version }]) => [aggregateUuid, version]));

  // Decide in order; a uuid seen earlier in this chunk is a duplicate of that delivery.
  const decided: DecidedCommand[] = [];
  const plan: ({ kind: 'duplicate' } | { kind: 'decided'; decision: DecidedCommand; after: { version: bigint; state: unknown } })[] = [];
  const seen = new Set<string>();
  for (const { domain, command } of items) {
    if (processedBefore.has(command.commandUuid) || seen.has(command.commandUuid)) {
      plan.push({ kind: 'duplicate' });
      continue;
    }
    seen.add(command.commandUuid);
    const before = states.get(command.aggregateUuid) ?? { version: 0n, state: domain.decider.initialState() };
    const decision = decideCommand(domain, command, before.state, before.version, codec);
    const after = { version: decision.version, state: decision.state };
    states.set(command.aggregateUuid, after);
    const numbered = decision.events.map((e, i) => ({ ...e, version: before.version + BigInt(i + 1) }));
    const entry: DecidedCommand = { command, streamType: domain.aggregateType, outcome: decision.outcome, reason: decision.reason, events: numbered };
    decided.push(entry);
    plan.push({ kind: 'decided', decision: entry, after });
  }

  // Personal fields are sealed as they are written: the log, the archive and the topics hold ciphertext.
  const appended = decided.length > 0 ? await appendAndArchive(client, await sealDecided(client, codec, decided)) : [];
  await saveDueSnapshots(client, items, states, versionsBefore);
  faults.at('worker.after-append');
  const duplicates = items.filter((_, i) => plan[i]?.kind === 'duplicate').map((i) => i.command.commandUuid);
  const republished = duplicates.length > 0 ? await readEventsCausedByMany(client, duplicates) : [];

  const [appendedBy, republishedBy] = [byCommand(appended), byCommand(republished)];
  // The re-read sees this transaction's own appends too, so it alone serves every duplicate.
  return items.map(({ command }, i): CommandResult => {
    const step = plan[i];
    if (!step || step.kind === 'duplicate') return { outcome: 'duplicate', events: republishedBy.get(command.commandUuid) ?? [] };
    return { outcome: step.decision.outcome, events: appendedBy.get(command.commandUuid) ?? [], newState: step.after };
  });
}

/** Events by the command that caused them, each command's in version order: one pass, not one per command. */
function byCommand(events: readonly RecordedEvent[]): Map<string, RecordedEvent[]> {
  const grouped = new Map<string, RecordedEvent[]>();
  for (const event of events) appendTo(grouped, event.causedBy.commandUuid, event);
  for (const ofCommand of grouped.values()) if (ofCommand.length > 1) ofCommand.sort((a, b) => Number(a.aggregateVersion - b.aggregateVersion));
  return grouped;
}

/** A snapshot for each aggregate whose version crossed a multiple of its domain's `every` in this chunk. */
async function saveDueSnapshots(
  client: PoolClient,
  items: readonly ChunkItem[],
  states: Map<string, { version: bigint; state: unknown }>,
  versionsBefore: Map<string, bigint>,
): Promise<void> {
  const due = new Map<Domain, { streamId: string; version: bigint; state: unknown }[]>();
  const seen = new Set<string>();
  for (const { domain, command } of items) {
    if (seen.has(command.aggregateUuid)) continue;
    seen.add(command.aggregateUuid);
    const after = states.get(command.aggregateUuid);
    const before = versionsBefore.get(command.aggregateUuid);
    if (!after || before === undefined || !snapshotDue(domain, before, after.version)) continue;
    appendTo(due, domain, { streamId: command.aggregateUuid, version: after.version, state: after.state });
  }
  for (const [domain, snapshots] of due) await saveSnapshots(client, deciderVersionOf(domain) as string, storableSnapshots(domain, snapshots));
}
