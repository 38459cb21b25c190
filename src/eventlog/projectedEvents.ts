import type { Pool, PoolClient } from './pool.ts';
import { followedSkipPrefix, siblingsOf, type SkipToFollow } from './projectionFailures.ts';
import { appliedOffsetValues, upsertAppliedOffsetAfterMark, type AppliedOffset } from './projectionOffsets.ts';

/** Marks an event applied by a projector; false when it already was (a redelivery). */
export async function markProjected(client: PoolClient, projector: string, eventUuid: string): Promise<boolean> {
  const { rowCount } = await client.query(
    'insert into projected_events (projector, event_uuid) values ($1, $2) on conflict do nothing',
    [projector, eventUuid],
  );
  return rowCount === 1;
}

/** The mark statement, with the applied offset's upsert beside it or without. */
const markText = (recordOffset: string) =>
  `with fresh as (
       insert into projected_events (projector, event_uuid) select $2, u from unnest($3::uuid[]) as u
       on conflict do nothing returning event_uuid)${recordOffset}
     select fresh.event_uuid::text, skip.projector as skipped_by, skip.error from fresh left join lateral (
       select f.projector, f.error from projection_failures f
       where f.event_uuid = fresh.event_uuid and f.status = 'skipped' and f.projector = any(${siblingsOf('$1', '$2')})
       order by starts_with(f.error, $4), f.failed_at limit 1) skip on true`;
const mark = { name: 'streamfold.mark-projected', text: markText('') };
// A data-modifying CTE runs to completion whether or not the query reads it.
const markWithOffset = { name: 'streamfold.mark-projected-at-offset', text: markText(`, applied as (${upsertAppliedOffsetAfterMark})`) };

/**
 * Marks a chunk's events projected in one statement and returns the uuids that were new: one round
 * trip per chunk instead of one per event. A uuid twice in the chunk counts once. With each new
 * uuid comes the skip it must follow, if another version of the projection skipped that event
 * (found in the same statement, so following skips costs no round trip). `appliedOffset`, when
 * given, is recorded by the same statement: the chunk's transaction then needs no round trip for it.
 */
export async function markNewlyProjected(
  client: PoolClient,
  target: { projection: { name: string }; projector: string },
  eventUuids: readonly string[],
  appliedOffset?: AppliedOffset,
): Promise<Map<string, SkipToFollow | undefined>> {
  const { rows } = await client.query<{ event_uuid: string; skipped_by: string | null; error: string | null }>({
    // Every chunk runs one of the two: each prepared once per connection, parsed and planned once.
    ...(appliedOffset ? markWithOffset : mark),
    values: [target.projection.name, target.projector, eventUuids, followedSkipPrefix, ...(appliedOffset ? appliedOffsetValues(target.projector, appliedOffset) : [])],
  });
  return new Map(rows.map((r) => [r.event_uuid, r.skipped_by === null ? undefined : { skippedBy: r.skipped_by, error: r.error ?? '' }]));
}

/** Every event a projector has applied (or skipped), by uuid. */
export async function readProjectedEventUuids(db: Pool | PoolClient, projector: string): Promise<string[]> {
  const { rows } = await db.query<{ uuid: string }>('select event_uuid::text as uuid from projected_events where projector = $1', [projector]);
  return rows.map((r) => r.uuid);
}

/** How many of these events a projector has applied. */
export async function countProjected(db: Pool | PoolClient, projector: string, eventUuids: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from projected_events where projector = $1 and event_uuid = any($2::uuid[])', [projector, eventUuids]);
  return rows[0]?.n ?? 0;
}

/** The last events a projector applied, newest first, with when. */
export async function readLastProjected(db: Pool | PoolClient, projector: string, limit: number): Promise<{ eventUuid: string; projectedAt: Date }[]> {
  const { rows } = await db.query<{ event_uuid: string; projected_at: Date }>(
    'select event_uuid::text, projected_at from projected_events where projector = $1 order by projected_at desc limit $2',
    [projector, limit],
  );
  return rows.map((r) => ({ eventUuid: r.event_uuid, projectedAt: r.projected_at }));
}

/** Forgets which events a projector applied and which it failed on (its version is retired). */
export async function forgetProjected(client: PoolClient, projector: string): Promise<void> {
  await client.query('delete from projected_events where projector = $1', [projector]);
  await client.query('delete from projection_failures where projector = $1', [projector]);
}
