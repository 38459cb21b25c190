import type { Admin } from 'kafkajs';

/**
 * Messages a consumer group has committed past on a topic, summed over its partitions. The
 * benchmarks poll this instead of counting rows: a count over a growing table is Postgres work
 * on the very cores being measured. A group commits only after its Postgres commit.
 */
export async function committedCount(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}
