import type { RecordedEvent } from '../core/index.ts';
import { eventColumns, toRecordedEvent, type EventRow } from './eventRows.ts';
import type { Pool, PoolClient } from './pool.ts';

/** The events with these uuids, in position order; asked in slices so a large set stays one reasonable query each. */
export async function readEventsByUuid(db: Pool | PoolClient, eventUuids: readonly string[], slice = 10_000): Promise<(RecordedEvent & { schemaId: number })[]> {
  const events: (RecordedEvent & { schemaId: number })[] = [];
  for (let start = 0; start < eventUuids.length; start += slice) {
    const { rows } = await db.query<EventRow>(`select ${eventColumns} from events where event_uuid = any($1::uuid[])`, [eventUuids.slice(start, start + slice)]);
    events.push(...rows.map(toRecordedEvent));
  }
  const at = (e: RecordedEvent) => e.position ?? 0n;
  return events.sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
}

/** When each of these events was recorded, by uuid; a uuid the log does not have is left out. */
export async function readRecordedTimes(db: Pool | PoolClient, eventUuids: readonly string[]): Promise<Map<string, Date>> {
  const { rows } = await db.query<{ event_uuid: string; recorded_at: Date }>('select event_uuid::text, recorded_at from events where event_uuid = any($1::uuid[])', [eventUuids]);
  return new Map(rows.map((r) => [r.event_uuid, r.recorded_at]));
}
