import type { FailurePolicy, Projection, RecordedEvent } from '../core/index.ts';
import { inSavepoint, markProjected, type PoolClient } from '../eventlog/index.ts';
import { recordFailure } from './failures.ts';
import { markNewlyProjected } from './projectedEvents.ts';
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
}

/**
 * Applies a chunk inside the caller's transaction, each event at most once per projector. Fast
 * path: one statement marks the chunk's new events, then they are applied with no savepoint of
 * their own (in one call to the projection's `applyAll` where it has one). When one throws, the chunk rolls back to before its marks and goes event by event
 * with retries, which finds the failing event and applies its policy. Returns the halting
 * delivery, if any; the deliveries before it are applied, those after it are not.
 */
export async function applyChunk(client: PoolClient, target: ChunkTarget, chunk: readonly Delivery[]): Promise<Delivery | undefined> {
  try {
    await inSavepoint(client, async () => {
      const fresh = await markNewlyProjected(client, target.projector, chunk.map((d) => d.event.eventUuid));
      // `delete` keeps the first copy of an event delivered twice in one chunk.
      const events = chunk.filter((d) => fresh.delete(d.event.eventUuid)).map((d) => d.event);
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

async function applyOneByOne(client: PoolClient, target: ChunkTarget, chunk: readonly Delivery[]): Promise<Delivery | undefined> {
  const { projection, projector, schema, policy } = target;
  for (const delivery of chunk) {
    const { event } = delivery;
    try {
      await inSavepoint(client, async () => {
        if (!(await markProjected(client, projector, event.eventUuid))) return;
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
