import type { TransportAdmin } from '../messaging/transport.ts';

export interface PartitionLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly committed: bigint | undefined;
  readonly end: bigint;
  readonly lag: bigint;
}

/** Lag per partition: the end offset minus the group's committed offset (all of it when none). */
export async function consumerLag(admin: TransportAdmin, group: string, topics: readonly string[]): Promise<PartitionLag[]> {
  const committed = await admin.committedOffsets(group, topics);
  const rows: PartitionLag[] = [];
  for (const topic of topics) {
    for (const { partition, low, high } of await admin.topicOffsets(topic)) {
      const at = committed.find((c) => c.topic === topic && c.partition === partition)?.offset;
      rows.push({ group, topic, partition, committed: at, end: high, lag: high - (at ?? low) });
    }
  }
  return rows;
}

/** Messages in a topic now (high minus low watermark, summed over partitions). */
export async function messageCount(admin: TransportAdmin, topic: string): Promise<bigint> {
  const offsets = await admin.topicOffsets(topic);
  return offsets.reduce((sum, p) => sum + p.high - p.low, 0n);
}
