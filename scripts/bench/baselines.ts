import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { appendAndArchive, inTransaction, type DecidedCommand } from '../../src/eventlog/index.ts';
import { isolatedPipeline, projectRoot } from '../../test/support/isolatedPipeline.ts';
import { pacedHop } from './pacedHop.ts';
import { createKafka } from '../../src/messaging/kafkajs/kafka.ts';

const counterConfig = path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts');

/** What a worker decides for `commands` Increments over 1,000 counters, in chunks: one event each, versions in order. */
export function decidedCounterChunks(commands: number, chunkSize: number, schemaId: number): DecidedCommand[][] {
  const counters = Array.from({ length: 1000 }, () => randomUUID());
  const versions = new Map<string, bigint>();
  const chunks: DecidedCommand[][] = [];
  for (let i = 0; i < commands; i += chunkSize) {
    chunks.push(
      Array.from({ length: Math.min(chunkSize, commands - i) }, (_, j) => {
        const counter = counters[(i + j) % counters.length] as string;
        const version = (versions.get(counter) ?? 0n) + 1n;
        versions.set(counter, version);
        const commandUuid = randomUUID();
        return {
          command: {
            commandType: 'Increment',
            commandUuid,
            aggregateType: 'Counter',
            aggregateUuid: counter,
            data: { counter_uuid: counter, by: 1 },
            metadata: { issuedAt: new Date().toISOString(), issuedBy: 'bench', role: 'bench', correlationId: commandUuid },
          },
          streamType: 'Counter',
          outcome: 'accepted' as const,
          reason: null,
          events: [{ eventUuid: randomUUID(), type: 'Incremented', schemaId, data: { counter_uuid: counter, by: 1, total: Number(version) }, version }],
        };
      }),
    );
  }
  return chunks;
}

/** (a) kafkajs alone: the same number of messages of a command's size, produced in batches of 1,000 and consumed by a group. */
export async function kafkajsAlone(messages: number): Promise<number> {
  const pipeline = await isolatedPipeline('kafkabase', { configFile: counterConfig, partitions: 6 });
  try {
    const kafka = createKafka(pipeline.runtime.settings, `${pipeline.config.app}.baseline`);
    const topic = `${pipeline.named('counter')}.commands`;
    const value = Buffer.alloc(60, 1);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: `${pipeline.config.app}.baseline`, maxWaitTimeInMs: 100 });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let received = 0;
    let done: () => void = () => undefined;
    const allReceived = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        received += batch.messages.length;
        const last = batch.messages.at(-1);
        if (last) {
          resolveOffset(last.offset);
          await consumer.commitOffsets([{ topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
        }
        if (received >= messages) done();
      },
    });
    const started = performance.now();
    for (let sent = 0; sent < messages; sent += 1000) {
      const count = Math.min(1000, messages - sent);
      await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, () => ({ key: randomUUID(), value })) });
    }
    await allReceived;
    const seconds = (performance.now() - started) / 1000;
    await consumer.disconnect();
    await producer.disconnect();
    return messages / seconds;
  } finally {
    await pipeline.cleanup();
  }
}

/** (b) Postgres alone: the rows the worker writes (events and archived commands), in the worker's chunk size, one transaction each. */
export async function postgresAlone(commands: number, chunkSize = 250): Promise<number> {
  const pipeline = await isolatedPipeline('pgbase', { configFile: counterConfig, partitions: 1 });
  try {
    const chunks = decidedCounterChunks(commands, chunkSize, pipeline.runtime.codec.schemaIdOf('Incremented'));
    const started = performance.now();
    for (const chunk of chunks) await inTransaction(pipeline.runtime.pool, (client) => appendAndArchive(client, chunk));
    return commands / ((performance.now() - started) / 1000);
  } finally {
    await pipeline.cleanup();
  }
}

/**
 * The floor under the `steady` latency: kafkajs alone, one hop (produce with acks=all → a group's
 * eachBatch, no offset commits) at the same rate on the same 6 partitions. A command crosses two
 * such hops.
 */
export async function kafkajsHopLatency(rate: number, seconds: number): Promise<{ p50Ms: number; p99Ms: number }> {
  const pipeline = await isolatedPipeline('kafkahop', { configFile: counterConfig, partitions: 6 });
  try {
    const kafka = createKafka(pipeline.runtime.settings, `${pipeline.config.app}.baseline`);
    const topic = `${pipeline.named('counter')}.commands`;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: `${pipeline.config.app}.hop`, maxWaitTimeInMs: 100 });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const latencies: number[] = [];
    // No offset commits: the transport's floor, as the platformatic hop in the clients scenario.
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) latencies.push(performance.now() - Number(message.value?.toString()));
      },
    });
    // Warm up: the group joined and every partition fetched once before the clock starts.
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 60 }, () => ({ key: randomUUID(), value: String(performance.now()) })) });
    const hop = await pacedHop(latencies, () => producer.send({ topic, acks: -1, messages: [{ key: randomUUID(), value: String(performance.now()) }] }), rate, seconds);
    await consumer.disconnect();
    await producer.disconnect();
    return hop;
  } finally {
    await pipeline.cleanup();
  }
}
