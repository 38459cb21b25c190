import type { RecordedEvent } from '../core/index.ts';
import type { Pool, PoolClient } from './pool.ts';
import { eventColumns, toRecordedEvent, type EventRow } from './eventRows.ts';

type Queryable = Pool | PoolClient;

/** One aggregate's events in version order, from a version on (exclusive); at most `limit` when given (a page). */
export async function readStream(
  db: Queryable,
  streamId: string,
  afterVersion = 0n,
  limit?: number,
): Promise<(RecordedEvent & { schemaId: number })[]> {
  const { rows } = await db.query<EventRow>(
    `select ${eventColumns} from events where stream_id = $1 and version > $2 order by version limit $3`,
    [streamId, afterVersion.toString(), limit ?? null],
  );
  return rows.map(toRecordedEvent);
}

/** Whether the log has a stream with this id. */
export async function streamExists(db: Queryable, streamId: string): Promise<boolean> {
  return ((await db.query('select 1 from events where stream_id = $1 limit 1', [streamId])).rowCount ?? 0) > 0;
}

/** The events one command caused, in the order they were appended. */
export async function readEventsCausedBy(db: Queryable, commandUuid: string) {
  const { rows } = await db.query<EventRow>(
    `select ${eventColumns} from events where caused_by_command_uuid = $1 order by position`,
    [commandUuid],
  );
  return rows.map(toRecordedEvent);
}

/** Every event of the given stream types in commit-safe global order (for folds and verification). */
export async function readAllEvents(db: Queryable, streamTypes?: readonly string[]) {
  const { rows } = await db.query<EventRow>(
    `select ${eventColumns} from events
     where ($1::text[] is null or stream_type = any($1)) order by position`,
    [streamTypes ?? null],
  );
  return rows.map(toRecordedEvent);
}
