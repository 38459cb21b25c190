import type { Kafka } from 'kafkajs';

/**
 * Polls the committed offsets of consumer groups and notes any that goes backwards: a zombie's
 * late commit must never move a checkpoint back. Errors while the broker is down are ignored.
 */
export function watchCheckpoints(kafka: Kafka, groups: { group: string; topics: string[] }[], everyMs = 500) {
  const highest = new Map<string, bigint>();
  const regressions: string[] = [];
  let running = true;
  const admin = kafka.admin({ retry: { retries: 0 } });
  const loop = (async () => {
    await admin.connect().catch(() => undefined);
    while (running) {
      for (const { group, topics } of groups) {
        try {
          for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group, topics })) {
            for (const { partition, offset } of partitions) {
              if (offset === '-1') continue;
              const key = `${group} ${topic}[${partition}]`;
              const at = BigInt(offset);
              const before = highest.get(key);
              if (before !== undefined && at < before) regressions.push(`${key}: committed offset moved back from ${before} to ${at} at ${new Date().toISOString()}`);
              if (before === undefined || at > before) highest.set(key, at);
            }
          }
        } catch {
          // The broker is down or the group is rebalancing; look again next time.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    regressions,
    async stop() {
      running = false;
      await loop;
      await admin.disconnect().catch(() => undefined);
    },
  };
}
