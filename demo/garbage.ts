import { Kafka, logLevel } from 'kafkajs';
import type { Settings } from 'streamfold';

/**
 * A message from a producer that is not streamfold (no headers, not Avro), sent with a Kafka client
 * of the app's own, as a service in another language might: the worker dead-letters it.
 */
export async function sendGarbage(settings: Settings, topic: string, key: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'demo-garbage', brokers: settings.kafkaBrokers, ssl: settings.kafkaSsl, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key, value: Buffer.from('not avro at all') }] });
  } finally {
    await producer.disconnect();
  }
}
