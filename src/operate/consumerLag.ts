import type { Admin } from 'kafkajs';

export interface PartitionLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly committed: bigint | undefined;
  readonly end: bigint;
  readonly lag: bigint;
}

/** Lag per partition: the end offset minus the group's committed offset (all of it when none). */
export async function consumerLag(admin: Admin, group: string, topics: readonly string[]): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId: group, topics: [...topics] });
  const rows: PartitionLag[] = [];
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const groupOffsets = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const end of [...ends].sort((a, b) => a.partition - b.partition)) {
      const raw = groupOffsets.find((p) => p.partition === end.partition)?.offset;
      const at = raw !== undefined && raw !== '-1' ? BigInt(raw) : undefined;
      const high = BigInt(end.high);
      rows.push({ group, topic, partition: end.partition, committed: at, end: high, lag: high - (at ?? BigInt(end.low)) });
    }
  }
  return rows;
}

/** Messages in a topic now (high minus low watermark, summed over partitions). */
export async function messageCount(admin: Admin, topic: string): Promise<bigint> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + BigInt(p.high) - BigInt(p.low), 0n);
}
