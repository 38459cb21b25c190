import type { RecordedEvent } from '../core/index.ts';
import { eventColumns, toRecordedEvent, type EventRow } from './eventRows.ts';
import type { Pool, PoolClient } from './pool.ts';
import type { ProcessedCommand } from './processedCommands.ts';

type Queryable = Pool | PoolClient;

/** The events recorded under a correlation id, in position order, at most `limit`. */
export async function readEventsOfCorrelation(db: Queryable, correlationId: string, limit: number): Promise<(RecordedEvent & { schemaId: number })[]> {
  const { rows } = await db.query<EventRow>(`select ${eventColumns} from events where correlation_id = $1 order by position limit $2`, [correlationId, limit]);
  return rows.map(toRecordedEvent);
}

/** The archived commands issued under a correlation id, in the order they were received, at most `limit`. */
export async function readCommandsOfCorrelation(db: Queryable, correlationId: string, limit: number): Promise<ProcessedCommand[]> {
  const { rows } = await db.query<ProcessedCommand & Record<string, unknown>>(
    `select * from processed_commands where metadata->>'correlationId' = $1 order by received_at limit $2`,
    [correlationId, limit],
  );
  return rows;
}

/** Whether any event was recorded under this correlation id. */
export async function correlationExists(db: Queryable, correlationId: string): Promise<boolean> {
  return ((await db.query('select 1 from events where correlation_id = $1 limit 1', [correlationId])).rowCount ?? 0) > 0;
}
