import type { RecordedEvent } from '../core/index.ts';
import { eventColumns, toRecordedEvent, type EventRow } from './eventRows.ts';
import type { Pool, PoolClient } from './pool.ts';

/** The log's last position: 0 for an empty log. */
export async function readLogHead(db: Pool | PoolClient): Promise<bigint> {
  const { rows } = await db.query<{ head: bigint }>('select coalesce(max(position), 0) as head from events');
  return rows[0]?.head ?? 0n;
}

/**
 * The events after a position, in position order. Positions commit out of order, so this is for a
 * caller that knows the writers it waited for have committed (a test kit's `when`), not a tail.
 */
export async function readEventsAfter(db: Pool | PoolClient, position: bigint): Promise<(RecordedEvent & { schemaId: number })[]> {
  const { rows } = await db.query<EventRow>(`select ${eventColumns} from events where position > $1 order by position`, [position.toString()]);
  return rows.map(toRecordedEvent);
}

/** The newest events of the whole log (the overview's live feed): the primary key read backwards. */
export async function readRecentEvents(db: Pool | PoolClient, limit: number): Promise<(RecordedEvent & { schemaId: number })[]> {
  const { rows } = await db.query<EventRow>(`select ${eventColumns} from events order by position desc limit $1`, [limit]);
  return rows.map(toRecordedEvent);
}
