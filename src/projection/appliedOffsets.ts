import type { AppliedOffset } from '../eventlog/index.ts';

/** Partitions where `candidate` has applied less than `live`: reading it now would go back in time. */
export function partitionsBehind(live: readonly AppliedOffset[], candidate: readonly AppliedOffset[]) {
  return live
    .map((l) => ({ topic: l.topic, partition: l.partition, live: l.next, candidate: candidate.find((c) => c.topic === l.topic && c.partition === l.partition)?.next ?? 0n }))
    .filter((p) => p.candidate < p.live);
}
