import type { RecordedEvent } from '../core/index.ts';
import type { Pool, PoolClient } from '../eventlog/index.ts';

export interface FailureRow {
  projector: string;
  event_uuid: string;
  event_type: string;
  aggregate_uuid: string;
  topic: string;
  partition: number;
  offset: string;
  error: string;
  policy: 'halt' | 'park';
  status: 'halted' | 'parked' | 'resumed' | 'skipped';
  failed_at: Date;
}

export async function recordFailure(
  db: Pool | PoolClient,
  failure: { projector: string; event: RecordedEvent; topic: string; partition: number; offset: string; error: unknown; policy: 'halt' | 'park' },
): Promise<void> {
  const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
  await db.query(
    `insert into projection_failures (projector, event_uuid, event_type, aggregate_uuid, topic, partition, "offset", error, policy, status)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     on conflict (projector, event_uuid) do update
       set error = excluded.error, status = excluded.status, failed_at = now(), "offset" = excluded."offset"`,
    [
      failure.projector,
      failure.event.eventUuid,
      failure.event.eventType,
      failure.event.aggregateUuid,
      failure.topic,
      failure.partition,
      failure.offset,
      message,
      failure.policy,
      failure.policy === 'halt' ? 'halted' : 'parked',
    ],
  );
}

export async function listFailures(db: Pool, projector?: string): Promise<FailureRow[]> {
  const { rows } = await db.query<FailureRow & Record<string, unknown>>(
    `select * from projection_failures where ($1::text is null or projector = $1) and status in ('halted', 'parked') order by failed_at`,
    [projector ?? null],
  );
  return rows;
}

export async function isHalted(db: Pool, projector: string): Promise<boolean> {
  const { rowCount } = await db.query(`select 1 from projection_failures where projector = $1 and status = 'halted'`, [projector]);
  return (rowCount ?? 0) > 0;
}

/** Lets a halted projector retry the event that stopped it. */
export async function resumeProjector(db: Pool, projector: string): Promise<number> {
  const { rowCount } = await db.query(
    `update projection_failures set status = 'resumed' where projector = $1 and status = 'halted'`,
    [projector],
  );
  return rowCount ?? 0;
}

/** Marks the halting event as projected without applying it, and lets the projector go on. */
export async function skipHaltedEvent(db: Pool, projector: string): Promise<number> {
  const { rowCount } = await db.query(
    `with skipped as (
       update projection_failures set status = 'skipped' where projector = $1 and status = 'halted' returning event_uuid)
     insert into projected_events (projector, event_uuid) select $1, event_uuid from skipped on conflict do nothing`,
    [projector],
  );
  return rowCount ?? 0;
}
