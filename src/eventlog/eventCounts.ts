import type { Pool, PoolClient } from './pool.ts';

type Queryable = Pool | PoolClient;

/** Whether this database holds an event log (its migrations ran). */
export async function eventLogExists(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ present: boolean }>(`select to_regclass('events') is not null as present`);
  return rows[0]?.present ?? false;
}

/** Events of these stream types in the log now. */
export async function countEvents(db: Queryable, streamTypes: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from events where stream_type = any($1)', [streamTypes]);
  return rows[0]?.n ?? 0;
}

/**
 * Events of these stream types in the log, and how many of them were recorded before a cutoff
 * `ageMs` before the database's now (millisecond-truncated, so a caller compares it with recordedAt).
 */
export async function countEventsOlderThan(db: Queryable, streamTypes: readonly string[], ageMs: number): Promise<{ total: number; old: number; cutoff: Date }> {
  const { rows } = await db.query<{ total: number; old: number; cutoff: Date }>(
    `with c as (select date_trunc('milliseconds', now() - $2 * interval '1 millisecond') as cutoff)
     select count(*)::int as total, (count(*) filter (where recorded_at < (select cutoff from c)))::int as old, (select cutoff from c) as cutoff
     from events where stream_type = any($1)`,
    [streamTypes, ageMs],
  );
  return rows[0] ?? { total: 0, old: 0, cutoff: new Date(0) };
}

/** Per event type, the writer schemas its events in these streams were stored with, and how many each. */
export async function countEventsByWriterSchema(db: Queryable, streamTypes: readonly string[]): Promise<{ type: string; schemaId: number; count: number }[]> {
  const { rows } = await db.query<{ type: string; schema_id: number; count: number }>(
    'select type, schema_id, count(*)::int as count from events where stream_type = any($1) group by type, schema_id order by type, schema_id',
    [streamTypes],
  );
  return rows.map((r) => ({ type: r.type, schemaId: r.schema_id, count: r.count }));
}
