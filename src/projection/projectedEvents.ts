import type { PoolClient } from '../eventlog/index.ts';

/**
 * Marks a chunk's events projected in one statement and returns the uuids that were new: one round
 * trip per chunk instead of one per event. A uuid twice in the chunk counts once.
 */
export async function markNewlyProjected(client: PoolClient, projector: string, eventUuids: readonly string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ event_uuid: string }>(
    `insert into projected_events (projector, event_uuid) select $1, u from unnest($2::uuid[]) as u
     on conflict do nothing returning event_uuid::text`,
    [projector, eventUuids],
  );
  return new Set(rows.map((r) => r.event_uuid));
}

/** Forgets everything a projector did (its version is retired): a later rebuild of it starts clean. */
export async function forgetProjector(client: PoolClient, projector: string): Promise<void> {
  await client.query('delete from projected_events where projector = $1', [projector]);
  await client.query('delete from projection_failures where projector = $1', [projector]);
  await client.query('delete from projection_offsets where projector = $1', [projector]);
}
