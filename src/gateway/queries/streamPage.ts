import type { RecordedEvent } from '../../core/index.ts';
import { eventColumns, toRecordedEvent, type EventRow } from '../../eventlog/eventRows.ts';
import type { Pool } from '../../eventlog/index.ts';

export interface StreamPage {
  readonly aggregateUuid: string;
  readonly aggregateType: string | undefined;
  readonly events: (RecordedEvent & { schemaId: number })[];
  /** The version to ask `after=` for the next page, when there is one. */
  readonly nextAfter: bigint | undefined;
}

/** One page of an aggregate's history, in version order, after a version (exclusive). */
export async function readStreamPage(pool: Pool, aggregateUuid: string, afterVersion: bigint, limit: number): Promise<StreamPage> {
  const { rows } = await pool.query<EventRow>(`select ${eventColumns} from events where stream_id = $1 and version > $2 order by version limit $3`, [
    aggregateUuid,
    afterVersion.toString(),
    limit + 1,
  ]);
  const events = rows.slice(0, limit).map(toRecordedEvent);
  return {
    aggregateUuid,
    aggregateType: events[0]?.aggregateType,
    events,
    nextAfter: rows.length > limit ? events.at(-1)?.aggregateVersion : undefined,
  };
}

/** The newest events of the whole log (the overview's live feed): the primary key read backwards. */
export async function readRecentEvents(pool: Pool, limit: number) {
  const { rows } = await pool.query<EventRow>(`select ${eventColumns} from events order by position desc limit $1`, [limit]);
  return rows.map(toRecordedEvent);
}
