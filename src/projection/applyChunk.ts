import type { FailurePolicy, Projection, RecordedEvent } from '../core/index.ts';
import { inSavepoint, markNewlyProjected, markProjected, recordFailure, recordFollowedSkip, skipsToFollow, type PoolClient, type SkipToFollow } from '../eventlog/index.ts';
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
 * Applies a chunk inside the caller's transaction, each event at most once per projector. Fast
 * path: one statement marks the chunk's new events, then they are applied with no savepoint of
 * their own (in one call to the projection's `applyAll` where it has one). When one throws, the chunk rolls back to before its marks and goes event by event
 * with retries, which finds the failing event and applies its policy. Returns the halting
 * delivery, if any; the deliveries before it are applied, those after it are not.
 *
 * An event that another version of the projection has skipped is skipped here too, and recorded
 * as such: a skip is the operator's decision that the event must not reach the read model, and a
 * replay that applied it (or halted on it again, waiting for the same decision) would undo or
 * ignore that decision. A halt or park elsewhere does not carry: the event may apply cleanly in a
 * version whose code was fixed, which is often why the version was built.
 */
export async function applyChunk(client: PoolClient, target: ChunkTarget, delivered: readonly Delivery[]): Promise<Delivery | undefined> {
  const chunk = await unsealed(target, delivered);
  try {
    await inSavepoint(client, async () => {
      const fresh = await markNewlyProjected(client, target, chunk.map((d) => d.event.eventUuid));
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
    });
    return undefined;
  } catch {
    return applyOneByOne(client, target, chunk);
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
