import { isVersionConflict, type CommandEnvelope, type Domain, type RecordedEvent } from '../core/index.ts';
import {
  appendToStream,
  claimCommand,
  eventMetadataOf,
  inSavepoint,
  readEventsCausedBy,
  recordOutcome,
  type PoolClient,
} from '../eventlog/index.ts';
import { noFaults, type FaultHooks } from '../faults.ts';
import type { Codec } from '../messaging/codec.ts';
import { loadStates, type LoadedState } from './loadStates.ts';
import { decideCommand } from './decideCommand.ts';
import { sealOne } from './sealPersonalData.ts';
import type { StateCache } from './stateCache.ts';

const MAX_CONFLICT_RETRIES = 5;

export interface CommandResult {
  readonly outcome: 'accepted' | 'rejected' | 'invalid' | 'duplicate';
  /** Events to publish: the new ones, or for a duplicate the ones recorded the first time. */
  readonly events: readonly RecordedEvent[];
  /** Applied to the cache only after the transaction commits. */
  readonly newState?: { version: bigint; state: unknown };
}

export async function loadState(client: PoolClient, domain: Domain, aggregateUuid: string, cache: StateCache<unknown>, codec: Codec) {
  const cached = cache.get(aggregateUuid);
  if (cached) return cached;
  return (await loadStates(client, domain, [aggregateUuid], codec)).get(aggregateUuid) as LoadedState;
}

/**
 * The command handler of the design, one command at a time inside the caller's transaction:
 * claim the command uuid, load or fold the state, decide, append with the expected version; on
 * a version conflict roll back to the savepoint, reload and decide again. The worker's batched
 * path (handleChunk) falls back to this one when it meets a conflict.
 */
export async function handleCommand(
  client: PoolClient,
  domain: Domain,
  command: CommandEnvelope,
  codec: Codec,
  cache: StateCache<unknown>,
  faults: FaultHooks = noFaults,
): Promise<CommandResult> {
  if (!(await claimCommand(client, (await sealOne(client, codec, command)).command))) {
    return { outcome: 'duplicate', events: await readEventsCausedBy(client, command.commandUuid) };
  }
  faults.at('worker.after-dedup');
  for (let attempt = 1; ; attempt++) {
    try {
      return await inSavepoint(client, () => decideAndAppend(client, domain, command, codec, cache));
    } catch (error) {
      if (!isVersionConflict(error) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      cache.delete(command.aggregateUuid);
    }
  }
}

async function decideAndAppend(
  client: PoolClient,
  domain: Domain,
  command: CommandEnvelope,
  codec: Codec,
  cache: StateCache<unknown>,
  faults: FaultHooks = noFaults,
): Promise<CommandResult> {
  const { version, state } = await loadState(client, domain, command.aggregateUuid, cache, codec);
  const decision = decideCommand(domain, command, state, version, codec);
  const { events } = await sealOne(client, codec, command, decision.events);
  const appended = await appendToStream(
    client,
    {
      streamType: domain.aggregateType,
      streamId: command.aggregateUuid,
      expectedVersion: version,
      causedBy: { commandType: command.commandType, commandUuid: command.commandUuid },
      correlationId: command.metadata.correlationId,
      metadata: eventMetadataOf(command.metadata),
    },
    events,
  );
  faults.at('worker.after-append');
  await recordOutcome(client, command.commandUuid, decision.outcome, appended.map((e) => e.eventUuid), decision.reason);
  const changed = decision.outcome !== 'invalid';
  return { outcome: decision.outcome, events: appended, ...(changed ? { newState: { version: decision.version, state: decision.state } } : {}) };
}
