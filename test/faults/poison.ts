import type { IHeaders, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { commandHeaders, eventHeaders } from '../../src/messaging/envelopeHeaders.ts';
import type { Runtime } from '../../src/runtime.ts';

/** A value in the wire format whose schema id no registry has. */
export const unknownSchemaIdValue = () => Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0 + Math.floor(Math.random() * 15), 1, 2, 3]);

/** Envelope headers a sound message of the kind would carry, so the door gets as far as the value. */
function soundHeaders(kind: 'command' | 'event', aggregateUuid: string) {
  const uuid = randomUUID();
  if (kind === 'command') {
    return commandHeaders({
      commandType: 'Increment',
      commandUuid: uuid,
      aggregateType: 'Counter',
      aggregateUuid,
      data: {},
      metadata: { issuedAt: new Date().toISOString(), issuedBy: 'poison', role: 'test', correlationId: uuid },
    });
  }
  return eventHeaders({
    eventType: 'Incremented',
    eventUuid: uuid,
    aggregateType: 'Counter',
    aggregateUuid,
    aggregateVersion: 1n,
    causedBy: { commandType: 'Increment', commandUuid: randomUUID() },
    correlationId: uuid,
    recordedAt: new Date().toISOString(),
    data: {},
  });
}

/**
 * Produces poison to a topic behind a sound key and envelope, so it reaches the value: garbage
 * bytes (NOT_WIRE_FORMAT), an unknown schema id (UNKNOWN_SCHEMA_ID), and for command topics a
 * well-formed Avro value without its envelope headers (BAD_HEADERS). Returns how many it produced.
 */
export async function producePoison(kafka: Kafka, runtime: Runtime, topic: string, kind: 'command' | 'event'): Promise<number> {
  const key = randomUUID();
  const messages: { key: string; value: Buffer; headers?: IHeaders }[] = [
    { key, value: Buffer.from(`garbage ${randomUUID()}`), headers: soundHeaders(kind, key) },
    { key, value: unknownSchemaIdValue(), headers: soundHeaders(kind, key) },
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
