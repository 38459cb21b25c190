import type { RecordedEvent } from '../core/index.ts';
import type { Codec } from '../messaging/codec.ts';

/**
 * Events read from the Postgres log, in the shape a projection sees them in from a topic: the
 * log keeps each event as written, the topic's reader resolves (and upcasts) it to today's schema.
 */
export async function inTodaysShape<E extends RecordedEvent & { schemaId: number }>(codec: Codec, events: readonly E[]): Promise<E[]> {
  const out: E[] = [];
  for (const event of events) {
    const { typeName, data } = await codec.currentShape(event.eventType, event.schemaId, event.data as Record<string, unknown>);
    out.push({ ...event, eventType: typeName, data });
  }
  return out;
}
