import type { RecordedEvent } from '../core/index.ts';
import type { Pool, PoolClient } from './pool.ts';

/** A row of projection_failures: an event a projector could not apply, and what became of it. */
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

/**
 * The error recorded for an event a version skipped because another version of the same
 * projection had skipped it: `followed the skip of counters_v1: <the error there>`.
 */
export const followedSkipPrefix = 'followed the skip of ';

/** An operator's skip, in another version of the same projection (or carried into a rebuilt database), that a version follows. */
export interface SkipToFollow {
  readonly skippedBy: string;
  readonly error: string;
}

/**
 * SQL for the projectors whose skips a projector follows: every recorded version of its
 * projection, itself included (a rebuilt database holds the skips it carried over under the
 * projector's own name). An array, so `projector = any(...)` probes the primary key.
 */
export const siblingsOf = (projectionParam: string, projectorParam: string) =>
  `array(select projection || '_v' || version from projection_versions where projection = ${projectionParam} union select ${projectorParam})`;

/** Of these events, those another version of the projection has skipped, with the version that did it (an operator's skip before a followed one). */
export async function skipsToFollow(client: PoolClient, projection: string, projector: string, eventUuids: readonly string[]): Promise<Map<string, SkipToFollow>> {
  if (eventUuids.length === 0) return new Map();
  const { rows } = await client.query<{ event_uuid: string; projector: string; error: string }>(
    `select distinct on (event_uuid) event_uuid::text, projector, error from projection_failures
     where status = 'skipped' and event_uuid = any($3::uuid[]) and projector = any(${siblingsOf('$1', '$2')})
     order by event_uuid, starts_with(error, $4), failed_at`,
    [projection, projector, eventUuids, followedSkipPrefix],
  );
  return new Map(rows.map((r) => [r.event_uuid, { skippedBy: r.projector, error: r.error }]));
}

/** Records that a projector left an event out because another version's operator skipped it. */
export async function recordFollowedSkip(
  client: PoolClient,
  skip: { projector: string; event: RecordedEvent; topic: string; partition: number; offset: string; policy: 'halt' | 'park'; followed: SkipToFollow },
): Promise<void> {
  const { followed } = skip;
  const error = followed.skippedBy === skip.projector || followed.error.startsWith(followedSkipPrefix) ? followed.error : `${followedSkipPrefix}${followed.skippedBy}: ${followed.error}`;
  await client.query(
    `insert into projection_failures (projector, event_uuid, event_type, aggregate_uuid, topic, partition, "offset", error, policy, status)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'skipped')
     on conflict (projector, event_uuid) do nothing`,
    [skip.projector, skip.event.eventUuid, skip.event.eventType, skip.event.aggregateUuid, skip.topic, skip.partition, skip.offset, error, skip.policy],
  );
}

/** What a replay's progress line shows of its versions' failures: the events halting them now and how many skips they followed. */
export async function failureNotes(db: Pool, projectors: readonly string[]): Promise<{ halts: FailureRow[]; followedSkips: number }> {
  const { rows } = await db.query<FailureRow & { followed: boolean }>(
    `select *, starts_with(error, $2) as followed from projection_failures
     where projector = any($1) and (status = 'halted' or (status = 'skipped' and starts_with(error, $2)))
     order by failed_at`,
    [projectors, followedSkipPrefix],
  );
  return { halts: rows.filter((r) => r.status === 'halted'), followedSkips: rows.filter((r) => r.followed).length };
}

/** Every event an operator (or a followed skip) left out of some version, in one read database. */
export async function listSkips(db: Pool | PoolClient): Promise<FailureRow[]> {
  const { rows } = await db.query<FailureRow & Record<string, unknown>>(`select * from projection_failures where status = 'skipped' order by failed_at`);
  return rows;
}

/**
 * Carries skips from the read database readers use into a rebuilt one, each under the projector
 * the rebuild runs, so it follows them as a replay follows another version's skip.
 */
export async function carrySkips(db: Pool, skips: readonly FailureRow[], projectorOf: (skip: FailureRow) => string | undefined, from: string): Promise<number> {
  let carried = 0;
  for (const skip of skips) {
    const projector = projectorOf(skip);
    if (!projector) continue;
    const error = skip.error.startsWith(followedSkipPrefix) ? skip.error : `${followedSkipPrefix}${skip.projector} in ${from}: ${skip.error}`;
    const { rowCount } = await db.query(
      `insert into projection_failures (projector, event_uuid, event_type, aggregate_uuid, topic, partition, "offset", error, policy, status)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'skipped') on conflict (projector, event_uuid) do nothing`,
      [projector, skip.event_uuid, skip.event_type, skip.aggregate_uuid, skip.topic, skip.partition, skip.offset, error, skip.policy],
    );
    carried += rowCount ?? 0;
  }
  return carried;
}

/** Resolves a parked failure after an operator's retry (`resumed`) or skip (`skipped`); the other statuses stay. */
export async function resolveParkedFailure(client: PoolClient, projector: string, eventUuid: string, status: 'resumed' | 'skipped'): Promise<void> {
  await client.query(`update projection_failures set status = $3 where projector = $1 and event_uuid = $2 and status = 'parked'`, [projector, eventUuid, status]);
}

/** The events a projector leaves out on purpose: skipped by an operator (or a followed skip) or parked by its policy. */
export async function readLeftOutEventUuids(db: Pool | PoolClient, projector: string): Promise<string[]> {
  const { rows } = await db.query<{ uuid: string }>(`select event_uuid::text as uuid from projection_failures where projector = $1 and status in ('skipped', 'parked')`, [projector]);
  return rows.map((r) => r.uuid);
}
