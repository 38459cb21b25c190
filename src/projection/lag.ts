import { eventTopicOf, type Projection } from '../core/index.ts';
import { appliedOffsets, type Pool } from '../eventlog/index.ts';
import type { TransportAdmin } from '../messaging/transport.ts';
import type { Runtime } from '../runtime.ts';

export interface PartitionProgress {
  readonly topic: string;
  readonly partition: number;
  /** The end offset now, and the next offset the version will apply. */
  readonly end: bigint;
  readonly next: bigint;
}

export interface VersionLag {
  /** Events in the topics now (end minus start offsets), how many the version has applied, and the rest. */
  readonly total: bigint;
  readonly applied: bigint;
  readonly lag: bigint;
  readonly partitions: PartitionProgress[];
}

/**
 * How far a version is behind the head of its topics. Per partition it counts the greater of the
 * offset its read model recorded (ahead of the group's by up to one chunk) and the group's
 * committed offset (ahead when the last messages were dead-lettered, which apply nothing).
 */
export async function versionLag(admin: TransportAdmin, readPool: Pool, topics: readonly string[], projector: string, group: string): Promise<VersionLag> {
  const applied = (await appliedOffsets(readPool, [projector])).get(projector) ?? [];
  const committed = await admin.committedOffsets(group, topics);
  let total = 0n;
  let done = 0n;
  const partitions: PartitionProgress[] = [];
  for (const topic of topics) {
    for (const p of await admin.topicOffsets(topic)) {
      const { low, high } = p;
      const fromReadModel = applied.find((a) => a.topic === topic && a.partition === p.partition)?.next ?? low;
      const fromGroup = committed.find((c) => c.topic === topic && c.partition === p.partition)?.offset ?? low;
      const next = [fromReadModel, fromGroup, low].reduce((a, b) => (a > b ? a : b));
      total += high - low;
      done += (next > high ? high : next) - low;
      partitions.push({ topic, partition: p.partition, end: high, next });
    }
  }
  return { total, applied: done, lag: total - done, partitions };
}

export const topicsOf = (runtime: Runtime, projection: Pick<Projection, 'sources'>) => projection.sources.map((name) => eventTopicOf(runtime.domainNamed(name)));
