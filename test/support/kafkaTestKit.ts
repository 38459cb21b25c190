import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { expect, onTestFinished } from 'vitest';

import type { Admin, Consumer, ConsumerConfig, Producer } from 'kafkajs';
import { readSettings } from '../../src/config/settings.ts';
import { createKafka } from '../../src/messaging/kafkajs/kafka.ts';
import { kafkajsTransport } from '../../src/messaging/kafkajs/transport.ts';
import type { TransportAdmin } from '../../src/messaging/transport.ts';
import { loadSchemas, type MessageSchema } from '../../src/messaging/schemaCatalog.ts';

// kafkajs is CommonJS; Node's ESM loader does not see all its named exports.
const { logLevel } = kafkajs;

export const settings = readSettings();
const kafka = createKafka(settings, 'streamfold-int-test', { logLevel: logLevel.NOTHING });

/** A name no other test (or earlier run) has used: topics, groups, Avro namespaces. */
export const uniqueName = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '')}`;

/** Each client below is disconnected when the test that made it finishes, pass or fail. */
async function connectedForTest<Client extends { connect(): Promise<void>; disconnect(): Promise<void> }>(
  client: Client,
): Promise<Client> {
  onTestFinished(() => client.disconnect());
  await client.connect();
  return client;
}

export const connectedAdmin = (): Promise<Admin> => connectedForTest(kafka.admin());
/** The transport's admin on the same client: what streamfold itself asks the broker through. */
export const connectedTransportAdmin = (): Promise<TransportAdmin> => connectedForTest(kafkajsTransport(kafka).admin());
export const connectedProducer = (): Promise<Producer> => connectedForTest(kafka.producer());
// Short fetch waits: a consumer notices rebalances and disconnects within half a second, not five.
export const connectedConsumer = (config: ConsumerConfig): Promise<Consumer> =>
  connectedForTest(kafka.consumer({ maxWaitTimeInMs: 500, ...config }));

export function deleteTopicAfterTest(admin: Admin, topic: string): void {
  onTestFinished(() => admin.deleteTopics({ topics: [topic] }));
}

/** A consumer group of its own for this test, deleted when the test finishes (after its consumers left). */
export function groupForTest(admin: Admin): string {
  const groupId = uniqueName('int-test-group');
  // A test that failed before any member joined leaves no group to delete.
  onTestFinished(() => admin.deleteGroups([groupId]).then(() => undefined, () => undefined));
  return groupId;
}

/** A new topic of its own for this test, deleted when the test finishes. */
export async function createTopic(admin: Admin, partitions = 1): Promise<string> {
  const topic = uniqueName('int-test');
  deleteTopicAfterTest(admin, topic);
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  return topic;
}

/** The partitions of `topic` the consumer holds, as its last group join gave them. */
export function trackAssignment(consumer: Consumer, topic: string): { partitions: number[] } {
  const held = { partitions: [] as number[] };
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    held.partitions = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  return held;
}

/** Deletes a registry subject and its schemas (soft, then permanently) when the test finishes. */
export function deleteSubjectAfterTest(subject: string): void {
  onTestFinished(async () => {
    const url = `${settings.registryUrl}/subjects/${encodeURIComponent(subject)}`;
    await fetch(url, { method: 'DELETE' });
    await fetch(`${url}?permanent=true`, { method: 'DELETE' });
  });
}

/** Writes Avro schema files to a temporary avro folder and loads them the way the CLI does. */
export function avroFolder(files: Record<string, object>): Map<string, MessageSchema> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamfold-avro-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [file, schema] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), JSON.stringify(schema));
  return loadSchemas(dir);
}

export function onlySchema(schemas: Map<string, MessageSchema>): MessageSchema {
  expect(schemas.size).toBe(1);
  return [...schemas.values()][0] as MessageSchema;
}
