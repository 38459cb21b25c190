import type { Pool, PoolClient } from './pool.ts';

/** How far a projector has applied one partition. */
export interface AppliedOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to apply: everything before it is in the read model. */
  readonly next: bigint;
}

/**
 * The upsert of a projector's applied offset, parameters from `$first`: projector, topic, partition,
 * next offset. It never moves an offset back: a zombie's late chunk must not undo a newer one's
 * position. It runs alone (`recordAppliedOffset`) or inside the statement that marks a chunk's
 * events projected (`markNewlyProjected`), which saves the chunk's transaction a round trip.
 */
const upsertAppliedOffsetFrom = (first: number) => {
  const [projector, topic, partition, next] = [0, 1, 2, 3].map((i) => `$${first + i}`);
  return `insert into projection_offsets (projector, topic, partition, next_offset) values (${projector}, ${topic}, ${partition}, ${next})
     on conflict (projector, topic, partition) do update
       set next_offset = greatest(projection_offsets.next_offset, excluded.next_offset), updated_at = now()`;
};
const upsertAppliedOffset = upsertAppliedOffsetFrom(1);
/** After the mark statement's four parameters. */
export const upsertAppliedOffsetAfterMark = upsertAppliedOffsetFrom(5);

export const appliedOffsetValues = (projector: string, at: AppliedOffset) => [projector, at.topic, at.partition, at.next.toString()];

/** Records, in the transaction that applied them, how far a projector has applied a partition. */
export async function recordAppliedOffset(client: PoolClient, projector: string, at: AppliedOffset): Promise<void> {
  await client.query(upsertAppliedOffset, appliedOffsetValues(projector, at));
}

/** Forgets how far a projector applied (its version is retired). */
export async function forgetAppliedOffsets(client: PoolClient, projector: string): Promise<void> {
  await client.query('delete from projection_offsets where projector = $1', [projector]);
}

/** The projectors' applied offsets; `forUpdate` holds their chunk commits until the caller's transaction ends. */
export async function appliedOffsets(db: Pool | PoolClient, projectors: readonly string[], forUpdate = false): Promise<Map<string, AppliedOffset[]>> {
  const { rows } = await db.query<{ projector: string; topic: string; partition: number; next_offset: bigint }>(
    `select projector, topic, partition, next_offset from projection_offsets where projector = any($1)
     order by projector, topic, partition ${forUpdate ? 'for update' : ''}`,
    [projectors],
  );
  const byProjector = new Map<string, AppliedOffset[]>(projectors.map((p) => [p, []]));
  for (const r of rows) byProjector.get(r.projector)?.push({ topic: r.topic, partition: r.partition, next: r.next_offset });
  return byProjector;
}
