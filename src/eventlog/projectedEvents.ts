import type { PoolClient } from './pool.ts';

/** Marks an event applied by a projector; false when it already was (a redelivery). */
export async function markProjected(client: PoolClient, projector: string, eventUuid: string): Promise<boolean> {
  const { rowCount } = await client.query(
    'insert into projected_events (projector, event_uuid) values ($1, $2) on conflict do nothing',
    [projector, eventUuid],
  );
  return rowCount === 1;
}
