/**
 * The statement that records how far a projector has applied a partition, with its parameters from
 * `$first`: projector, topic, partition, next offset. It never moves an offset back: a zombie's late
 * chunk must not undo a newer one's position. One text for both of its callers: a statement of its
 * own (`recordAppliedOffset`) and a part of the statement that marks a chunk's events projected.
 */
export const upsertAppliedOffsetSql = (first: number) => {
  const [projector, topic, partition, next] = [0, 1, 2, 3].map((i) => `$${first + i}`);
  return `insert into projection_offsets (projector, topic, partition, next_offset) values (${projector}, ${topic}, ${partition}, ${next})
     on conflict (projector, topic, partition) do update
       set next_offset = greatest(projection_offsets.next_offset, excluded.next_offset), updated_at = now()`;
};

/** A partition's applied offset as the statement takes it. */
export interface AppliedOffsetRow {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to apply: everything before it is in the read model. */
  readonly next: bigint;
}

export const appliedOffsetValues = (projector: string, at: AppliedOffsetRow) => [projector, at.topic, at.partition, at.next.toString()];
