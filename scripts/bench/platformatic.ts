// The same two measurements as kafkajsAlone and kafkajsHopLatency (baselines.ts), made with
// @platformatic/kafka: is the Kafka client the limit? Same topic shape (6 partitions), same
// message size, acks=all, idempotent producer, manual commits after each consumed batch.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Consumer, Producer, type Message } from '@platformatic/kafka';
import { isolatedPipeline, projectRoot } from '../../test/support/isolatedPipeline.ts';
import { pacedHop } from './pacedHop.ts';

const counterConfig = path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts');
const ALL_REPLICAS = -1;

async function withClients<R>(label: string, work: (clients: { producer: Producer; consumer: Consumer; topic: string }) => Promise<R>): Promise<R> {
  const pipeline = await isolatedPipeline(label, { configFile: counterConfig, partitions: 6 });
  const bootstrapBrokers = pipeline.settings.kafkaBrokers;
  const producer = new Producer({ clientId: `${label}-producer`, bootstrapBrokers, idempotent: true, acks: ALL_REPLICAS });
  const consumer = new Consumer({ clientId: `${label}-consumer`, groupId: `${pipeline.config.app}.${label}`, bootstrapBrokers, maxWaitTime: 100 });
  try {
    return await work({ producer, consumer, topic: `${pipeline.named('counter')}.commands` });
  } finally {
    await consumer.close(true);
    await producer.close();
    await pipeline.cleanup();
  }
}

/** (a) with @platformatic/kafka: `messages` of a command's size, produced in batches of 1,000, consumed by a group. */
export async function platformaticAlone(messages: number): Promise<number> {
  return withClients('pkbase', async ({ producer, consumer, topic }) => {
    const value = Buffer.alloc(60, 1);
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    let received = 0;
    const allReceived = new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('data', (message: Message) => {
        received += 1;
        // Committing each message would be unfair to the client; commit every 250th, like a chunk.
        if (received % 250 === 0 || received >= messages) void message.commit();
        if (received >= messages) resolve();
      });
    });
    const started = performance.now();
    for (let sent = 0; sent < messages; sent += 1000) {
      const count = Math.min(1000, messages - sent);
      await producer.send({ messages: Array.from({ length: count }, () => ({ topic, key: Buffer.from(randomUUID()), value })) });
    }
    await allReceived;
    const seconds = (performance.now() - started) / 1000;
    await stream.close();
    return messages / seconds;
  });
}

/** One hop with @platformatic/kafka at `rate` messages/s, one message per send: produce → the group's stream. */
export async function platformaticHopLatency(rate: number, seconds: number): Promise<{ p50Ms: number; p99Ms: number }> {
  return withClients('pkhop', async ({ producer, consumer, topic }) => {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    const latencies: number[] = [];
    stream.on('data', (message: Message) => latencies.push(performance.now() - Number(message.value.toString())));
    const send = () => producer.send({ messages: [{ topic, key: Buffer.from(randomUUID()), value: Buffer.from(String(performance.now())) }] });
    // Warm up: the group joined and every partition fetched once before the clock starts.
    for (let i = 0; i < 60; i++) await send();
    const hop = await pacedHop(latencies, send, rate, seconds);
    await stream.close();
    return hop;
  });
}
