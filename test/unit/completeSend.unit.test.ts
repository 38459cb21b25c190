import type { Kafka, Message, PartitionerArgs, ProducerBatch, ProducerConfig, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createProducer, inRequests, sendCompletely } from '../../src/messaging/kafkajs/completeSend.ts';
import { kafkajsTransport } from '../../src/messaging/kafkajs/transport.ts';

const PARTITIONS = 4;
const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));

/**
 * A stand-in for kafkajs's producer that routes with the configured partitioner, as kafkajs does,
 * and on its first send (or every send) answers for every partition but `skipped`: what kafkajs
 * 2.2.4 resolves with when a partition moved to a broker that had already answered.
 */
function fakeKafka(skipped: number[], skippedEveryTime = false) {
  const written: { partition: number; key: string }[] = [];
  const sends: number[][] = [];
  const kafka = {
    producer(config: ProducerConfig) {
      const partitioner = config.createPartitioner!();
      return {
        async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
          const answered = new Set<number>();
          const routed: number[] = [];
          for (const { topic, messages } of batch.topicMessages ?? []) {
            for (const message of messages) {
              const partition = partitioner({ topic, partitionMetadata, message } as PartitionerArgs);
              routed.push(partition);
              if ((skippedEveryTime || sends.length === 0) && skipped.includes(partition)) continue;
              written.push({ partition, key: String(message.key) });
              answered.add(partition);
            }
          }
          sends.push(routed);
          return [...answered].map((partition) => ({ topicName: 'counter.commands', partition, errorCode: 0 }));
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, written, sends };
}

const messages = (n: number): Message[] => Array.from({ length: n }, (_, i) => ({ key: `aggregate-${i}`, value: `command ${i}` }));

describe('sendCompletely', () => {
  it('sends again the messages of a partition the brokers never answered for, to the same partition', async () => {
    const { kafka, written, sends } = fakeKafka([2]);
    const resent: number[] = [];
    const batch = messages(40);
    await sendCompletely(createProducer(kafka), [{ topic: 'counter.commands', messages: batch }], (unanswered) => resent.push(...unanswered.flatMap((t) => t.messages.map((m) => m.partition!))));

    expect(sends).toHaveLength(2);
    const firstRoute = new Map(batch.map((m, i) => [String(m.key), sends[0]![i]]));
    expect(resent.length).toBeGreaterThan(0);
    expect(new Set(resent)).toEqual(new Set([2]));
    // Every message written exactly once, and each to the partition it was first routed to.
    expect(written.map((w) => w.key).sort()).toEqual(batch.map((m) => String(m.key)).sort());
    for (const w of written) expect(w.partition).toBe(firstRoute.get(w.key));
  });

  it('sends once when every partition is answered', async () => {
    const { kafka, sends } = fakeKafka([]);
    await sendCompletely(createProducer(kafka), [{ topic: 'counter.commands', messages: messages(20) }]);
    expect(sends).toHaveLength(1);
  });

  it("is what the transport's producer sends with, telling which partitions were sent again", async () => {
    const { kafka, written } = fakeKafka([1, 3]);
    const resent: string[] = [];
    await kafkajsTransport(kafka).producer().send([{ topic: 'counter.commands', messages: messages(40) }], { onResend: (places) => resent.push(...places) });
    expect(resent.sort()).toEqual(['counter.commands[1]', 'counter.commands[3]']);
    expect(written).toHaveLength(40);
  });

  it('fails the send, naming the partitions, when they stay unanswered', async () => {
    const { kafka, sends } = fakeKafka([0, 1, 2, 3], true);
    await expect(sendCompletely(createProducer(kafka), [{ topic: 'counter.commands', messages: messages(8) }])).rejects.toThrow(/never answered for counter\.commands\[/);
    expect(sends).toHaveLength(6);
  });
});

describe('inRequests', () => {
  const sized = (n: number, tag: string) => ({ key: tag, value: Buffer.alloc(n) });
  it('keeps a send of small messages in one request', () => {
    expect(inRequests([{ topic: 'a', messages: [sized(10, '1'), sized(10, '2')] }, { topic: 'b', messages: [sized(10, '3')] }], 1000)).toHaveLength(1);
  });

  it('splits large messages over requests under the limit, in order, a message too large for any going alone', () => {
    const requests = inRequests([{ topic: 'a', messages: [sized(400, '1'), sized(400, '2'), sized(2000, '3')] }, { topic: 'b', messages: [sized(100, '4')] }], 1000);
    expect(requests.map((r) => r.map(({ topic, messages }) => `${topic}:${messages.map((m) => m.key).join('')}`))).toEqual([['a:12'], ['a:3'], ['b:4']]);
  });
});
