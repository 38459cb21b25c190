import type { Sql } from '../core/index.ts';

export interface EventDataMatch {
  readonly streamType: string;
  readonly eventType: string;
  /** A top-level field of the event's data, and the text it must hold. */
  readonly field: string;
  readonly equals: string;
}

/**
 * The streams that recorded an event of a type whose data field holds a value, in log order:
 * "the albums created for this reciter". A reactor reads the log, the truth, so no projection's
 * lag can hide a stream from it.
 */
export async function findStreamsByEventData(db: Sql, match: EventDataMatch): Promise<string[]> {
  const { rows } = await db.query<{ stream_id: string }>(
    `select stream_id::text from events
     where stream_type = $1 and type = $2 and data->>$3 = $4
     group by stream_id order by min(position)`,
    [match.streamType, match.eventType, match.field, match.equals],
  );
  return rows.map((row) => row.stream_id);
}
