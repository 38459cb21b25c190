import type { PoolClient } from '../eventlog/index.ts';
import { followedSkipPrefix, siblingsOf, type SkipToFollow } from './failures.ts';

/**
 * Marks a chunk's events projected in one statement and returns the uuids that were new: one round
 * trip per chunk instead of one per event. A uuid twice in the chunk counts once. With each new
 * uuid comes the skip it must follow, if another version of the projection skipped that event
 * (found in the same statement, so following skips costs no round trip).
 */
export async function markNewlyProjected(client: PoolClient, target: { projection: { name: string }; projector: string }, eventUuids: readonly string[]): Promise<Map<string, SkipToFollow | undefined>> {
  const { rows } = await client.query<{ event_uuid: string; skipped_by: string | null; error: string | null }>(
    `with fresh as (
       insert into projected_events (projector, event_uuid) select $2, u from unnest($3::uuid[]) as u
       on conflict do nothing returning event_uuid)
     select fresh.event_uuid::text, skip.projector as skipped_by, skip.error from fresh left join lateral (
       select f.projector, f.error from projection_failures f
       where f.event_uuid = fresh.event_uuid and f.status = 'skipped' and f.projector = any(${siblingsOf('$1', '$2')})
       order by starts_with(f.error, $4), f.failed_at limit 1) skip on true`,
    [target.projection.name, target.projector, eventUuids, followedSkipPrefix],
  );
  return new Map(rows.map((r) => [r.event_uuid, r.skipped_by === null ? undefined : { skippedBy: r.skipped_by, error: r.error ?? '' }]));
}

/** Forgets everything a projector did (its version is retired): a later rebuild of it starts clean. */
export async function forgetProjector(client: PoolClient, projector: string): Promise<void> {
  await client.query('delete from projected_events where projector = $1', [projector]);
  await client.query('delete from projection_failures where projector = $1', [projector]);
  await client.query('delete from projection_offsets where projector = $1', [projector]);
}
