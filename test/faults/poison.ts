import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { Runtime } from '../../src/runtime.ts';

/** A value in the wire format whose schema id no registry has. */
export const unknownSchemaIdValue = () => Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0 + Math.floor(Math.random() * 15), 1, 2, 3]);

/**
 * Produces poison to a topic: garbage bytes, an unknown schema id, and (for command topics) a
 * well-formed Avro value without its envelope headers. Returns how many messages it produced.
 */
export async function producePoison(kafka: Kafka, runtime: Runtime, topic: string, kind: 'command' | 'event'): Promise<number> {
  const key = randomUUID();
  const messages: { key: string; value: Buffer }[] = [
    { key, value: Buffer.from(`garbage ${randomUUID()}`) },
    { key, value: unknownSchemaIdValue() },
  ];
  if (kind === 'command') messages.push({ key, value: runtime.codec.encode('Increment', { counter_uuid: key, by: 1 }).value });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
  return messages.length;
}
