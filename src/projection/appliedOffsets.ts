import { appliedOffsetValues, upsertAppliedOffsetSql, type AppliedOffsetRow, type Pool, type PoolClient } from '../eventlog/index.ts';

export type AppliedOffset = AppliedOffsetRow;

/**
 * Records, in the transaction that applied them, how far a projector has applied a partition.
 * Never moves back: a zombie's late chunk must not undo a newer one's position.
 */
export async function recordAppliedOffset(client: PoolClient, projector: string, at: AppliedOffset): Promise<void> {
  await client.query(upsertAppliedOffsetSql(1), appliedOffsetValues(projector, at));
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

/** Partitions where `candidate` has applied less than `live`: reading it now would go back in time. */
export function partitionsBehind(live: readonly AppliedOffset[], candidate: readonly AppliedOffset[]) {
  return live
    .map((l) => ({ topic: l.topic, partition: l.partition, live: l.next, candidate: candidate.find((c) => c.topic === l.topic && c.partition === l.partition)?.next ?? 0n }))
    .filter((p) => p.candidate < p.live);
}
