import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';

export interface RecordedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

export interface TopicRecorder {
  /** Every message read so far from `topic`, in the order read (offset order within a partition). */
  messages(topic: string): readonly RecordedMessage[];
  /** Resolves once every message written to the topics before this call has been read. */
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A consumer of its own (a throwaway group, from the beginning) that keeps every message of some topics. */
export async function recordTopics(kafka: Kafka, topics: readonly string[]): Promise<TopicRecorder> {
  const byTopic = new Map<string, RecordedMessage[]>(topics.map((t) => [t, []]));
  const nextOffset = new Map<string, bigint>();
  const consumer = kafka.consumer({ groupId: `recorder-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const admin = kafka.admin();
  await Promise.all([consumer.connect(), admin.connect()]);
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      byTopic.get(topic)?.push({ topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers ?? {} });
      nextOffset.set(`${topic}:${partition}`, BigInt(message.offset) + 1n);
    },
  });

  return {
    messages: (topic) => byTopic.get(topic) ?? [],
    async caughtUp(timeoutMs = 15_000) {
      const ends = await Promise.all(topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) })));
      const deadline = Date.now() + timeoutMs;
      const behind = () =>
        ends.flatMap(({ topic, partitions }) =>
          partitions.filter((p) => (nextOffset.get(`${topic}:${p.partition}`) ?? BigInt(p.low)) < BigInt(p.high)).map((p) => `${topic}:${p.partition}`),
        );
      while (behind().length > 0) {
        if (Date.now() > deadline) throw new Error(`the recorder did not catch up within ${timeoutMs} ms on ${behind().join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      await consumer.disconnect();
      await admin.disconnect();
    },
  };
}
