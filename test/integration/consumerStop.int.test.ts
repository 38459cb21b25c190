import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';

import { runBatches } from '../../src/messaging/batchConsumer.ts';
import { createKafka } from '../../src/messaging/kafkajs/kafka.ts';
import { kafkajsTransport } from '../../src/messaging/kafkajs/transport.ts';
import { connectedAdmin, createTopic, groupForTest, settings } from '../support/kafkaTestKit.ts';

// kafkajs is CommonJS; Node's ESM loader does not see all its named exports.
const { logLevel } = kafkajs;

describe('a consumer that disconnects while a chunk is in hand', () => {
  // kafkajs's runner, once told to stop, drops offset commits silently: the chunk in flight was
  // handled and its offset left for the next owner to read again (src/messaging/kafkajs/batchesInHand.ts).
  it.each(['sequential', 'pipelined'] as const)('%s: finishes the chunk, commits its offset, and handles nothing after it', async (loop) => {
    const admin = await connectedAdmin();
    const topic = await createTopic(admin);
    const groupId = groupForTest(admin);
    const transport = kafkajsTransport(createKafka(settings, 'consumer-stop-int-test', { logLevel: logLevel.NOTHING }), { consumeLoop: loop });
    const producer = transport.producer();
    await producer.connect();
    await producer.send([{ topic, messages: ['one', 'two', 'three'].map((value) => ({ key: null, value, partition: 0 })) }]);

    const consumer = transport.consumer(groupId, { fetchMaxWaitMs: 100 });
    await consumer.connect([topic]);
    const handled: string[] = [];
    let chunkInHand: () => void = () => undefined;
    const firstChunkInHand = new Promise<void>((resolve) => (chunkInHand = resolve));
    let finishChunk: () => void = () => undefined;
    await runBatches<string>(consumer, {
      producer,
      chunkSize: 1,
      decode: async (_topic, message) => String(message.value),
      handle: async (chunk) => {
        chunkInHand();
        await new Promise<void>((resolve) => (finishChunk = resolve));
        handled.push(...chunk.map((delivered) => delivered.value));
      },
    });

    await firstChunkInHand;
    const disconnected = consumer.disconnect();
    // The disconnect is under way before the chunk's work (its Postgres commit, in a worker) ends.
    await new Promise((resolve) => setTimeout(resolve, 200));
    finishChunk();
    await disconnected;
    await producer.disconnect();

    expect(handled).toEqual(['one']);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(committed?.partitions).toEqual([{ partition: 0, offset: '1', metadata: null }]);
  });
});
