import type { FailurePolicy, Projection, RecordedEvent } from '../core/index.ts';
import {
  inSavepoint,
  inTransaction,
  markNewlyProjected,
  markProjected,
  recordAppliedOffset,
  recordFailure,
  recordFollowedSkip,
  skipsToFollow,
  type AppliedOffset,
  type Pool,
  type PoolClient,
  type SkipToFollow,
} from '../eventlog/index.ts';
import { retryDefaults, withRetries } from '../retry.ts';

/** An event and where it was read: a topic partition and offset, or the event log (`eventlog`, 0, position). */
export interface Delivery {
  readonly event: RecordedEvent;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** One projection version as a chunk is applied to it. */
export interface ChunkTarget {
  readonly projection: Projection;
  readonly projector: string;
  readonly schema: string;
  readonly policy: FailurePolicy;
  readonly retry?: typeof retryDefaults;
  readonly log: (line: string, fields?: Record<string, unknown>) => void;
  /** Opens sealed personal fields (keys from the event log's pool), so `apply` sees plaintext or the erased placeholder. */
  readonly unseal?: (events: readonly RecordedEvent[]) => Promise<readonly RecordedEvent[]>;
}

/**
 * Applies a chunk in a transaction of its own, each event at most once per projector, and records
 * in the same transaction how far the projector got (`appliedOffset`, given the halting delivery
 * if any; a replay from the event log has no offset to record). Fast path: one statement marks the
 * chunk's new events and records the offset, then they are applied (in one call to the
 * projection's `applyAll` where it has one), with no savepoint: when one throws, the whole
 * transaction rolls back, the offset with it, and a second one goes event by event with retries,
 * which finds the failing event and applies its policy. A chunk that applies cleanly — nearly all
 * of them — thus costs BEGIN, the mark, the apply and COMMIT, and no SAVEPOINT or RELEASE. Returns
 * the halting delivery, if any; the deliveries before it are applied, those after it are not.
 *
 * An event that another version of the projection has skipped is skipped here too, and recorded
 * as such: a skip is the operator's decision that the event must not reach the read model, and a
 * replay that applied it (or halted on it again, waiting for the same decision) would undo or
 * ignore that decision. A halt or park elsewhere does not carry: the event may apply cleanly in a
 * version whose code was fixed, which is often why the version was built.
 */
export async function applyChunk(
  pool: Pool,
  target: ChunkTarget,
  delivered: readonly Delivery[],
  appliedOffset?: (halted: Delivery | undefined) => AppliedOffset,
): Promise<Delivery | undefined> {
  const chunk = await unsealed(target, delivered);
  try {
    return await inTransaction(pool, async (client) => {
      try {
        await applyAtOnce(client, target, chunk, appliedOffset?.(undefined));
      } catch (error) {
        throw new ChunkFailedWhole(error);
      }
      return undefined;
    });
  } catch (error) {
    if (!(error instanceof ChunkFailedWhole)) throw error;
  }
  return inTransaction(pool, async (client) => {
    const halted = await applyOneByOne(client, target, chunk);
    if (appliedOffset) await recordAppliedOffset(client, target.projector, appliedOffset(halted));
    return halted;
  });
}

/** Raised inside the fast path's transaction so that it rolls back and the chunk goes event by event. */
class ChunkFailedWhole extends Error {
  constructor(cause: unknown) {
    super('a chunk failed as a whole; applying it event by event', { cause });
  }
}

async function applyAtOnce(client: PoolClient, target: ChunkTarget, chunk: readonly Delivery[], appliedOffset: AppliedOffset | undefined): Promise<void> {
  const fresh = await markNewlyProjected(client, target, chunk.map((d) => d.event.eventUuid), appliedOffset);
  const events: RecordedEvent[] = [];
  for (const delivery of chunk) {
    const { eventUuid } = delivery.event;
    // `delete` keeps the first copy of an event delivered twice in one chunk.
    if (!fresh.has(eventUuid)) continue;
    const followed = fresh.get(eventUuid);
    fresh.delete(eventUuid);
    if (followed) await followSkip(client, target, delivery, followed);
    else events.push(delivery.event);
  }
  const { projection, schema } = target;
  if (projection.applyAll) {
    if (events.length > 0) await projection.applyAll(events, client, schema);
  } else {
    for (const event of events) await projection.apply(event, client, schema);
  }
}

/** The deliveries with their events' personal fields opened: one key query per chunk, none when nothing is sealed. */
async function unsealed(target: ChunkTarget, chunk: readonly Delivery[]): Promise<readonly Delivery[]> {
  if (!target.unseal) return chunk;
  const events = await target.unseal(chunk.map((d) => d.event));
  return chunk.map((d, i) => ({ ...d, event: events[i] as RecordedEvent }));
}

async function followSkip(client: PoolClient, target: ChunkTarget, delivery: Delivery, followed: SkipToFollow): Promise<void> {
  const { projector, policy } = target;
  await recordFollowedSkip(client, { projector, event: delivery.event, topic: delivery.topic, partition: delivery.partition, offset: delivery.offset, policy, followed });
  target.log('projection skipped an event another version skipped', { projector, eventUuid: delivery.event.eventUuid, skippedBy: followed.skippedBy });
}

async function applyOneByOne(client: PoolClient, target: ChunkTarget, chunk: readonly Delivery[]): Promise<Delivery | undefined> {
  const { projection, projector, schema, policy } = target;
  const toFollow = await skipsToFollow(client, projection.name, projector, chunk.map((d) => d.event.eventUuid));
  for (const delivery of chunk) {
    const { event } = delivery;
    try {
      await inSavepoint(client, async () => {
        if (!(await markProjected(client, projector, event.eventUuid))) return;
        const followed = toFollow.get(event.eventUuid);
        if (followed) return followSkip(client, target, delivery, followed);
        // Each attempt in its own savepoint, so a failed attempt leaves no half-written rows.
        await withRetries(() => inSavepoint(client, () => projection.apply(event, client, schema)), target.retry);
      });
    } catch (error) {
      await recordFailure(client, { projector, event, topic: delivery.topic, partition: delivery.partition, offset: delivery.offset, error, policy });
      target.log(`projection ${policy === 'halt' ? 'halted' : 'parked an event'}`, { projector, eventUuid: event.eventUuid, error: String(error) });
      if (policy === 'halt') return delivery;
    }
  }
  return undefined;
}
