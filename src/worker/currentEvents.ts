import type { AnyEvent, RecordedEvent } from '../core/index.ts';
import type { Codec } from '../messaging/codec.ts';

/** Events from the log in today's shape, as the decider's `evolve` expects them. */
export async function currentEvents(codec: Codec, events: readonly (RecordedEvent & { schemaId: number })[]): Promise<AnyEvent[]> {
  const out: AnyEvent[] = [];
  for (const event of events) {
    const { typeName, data } = await codec.currentShape(event.eventType, event.schemaId, event.data as Record<string, unknown>);
    out.push({ type: typeName, data });
  }
  return out;
}
