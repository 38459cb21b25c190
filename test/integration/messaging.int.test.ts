import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';

import type { KafkaMessage } from 'kafkajs';
import { createCodec } from '../../src/messaging/codec.ts';
import { createUpcasting } from '../../src/messaging/upcasting.ts';
import { createRegistry, registerSchemas } from '../../src/messaging/schemaCatalog.ts';
import { applyTopics, type TopicSpec } from '../../src/messaging/topics.ts';
import {
  avroFolder,
  connectedAdmin,
  connectedConsumer,
  connectedProducer,
  connectedTransportAdmin,
  createTopic,
  deleteSubjectAfterTest,
  deleteTopicAfterTest,
  groupForTest,
  onlySchema,
  settings,
  trackAssignment,
  uniqueName,
} from '../support/kafkaTestKit.ts';

// kafkajs is CommonJS; Node's ESM loader does not see all its named exports.
const { ConfigResourceTypes } = kafkajs;

const registry = createRegistry(settings.registryUrl);
const CONSUMED_WITHIN = { timeout: 30_000, interval: 100 };

/** A record in a namespace of its own, so its registry subject is new to this test. */
const greetingRecord = (namespace: string, extraFields: object[] = []) => ({
  type: 'record',
  name: 'Greeting',
  namespace,
  fields: [
    { name: 'greeting_uuid', type: 'string' },
    { name: 'text', type: 'string' },
    { name: 'count', type: 'int' },
    { name: 'note', type: ['null', 'string'], default: null },
    ...extraFields,
  ],
});

describe('messaging against the real broker and registry', () => {
  it('consumes and decodes an Avro message a producer encoded through the registry', async () => {
    const admin = await connectedAdmin();
    const topic = await createTopic(admin);
    const groupId = groupForTest(admin);
    const schemas = avroFolder({ 'greeting.avsc': greetingRecord(uniqueName('inttest')) });
    deleteSubjectAfterTest(onlySchema(schemas).subject);
    const [registered] = await registerSchemas(registry, schemas.values());
    expect(registered?.error).toBeUndefined();
    const ids = new Map([['Greeting', registered?.id as number]]);
    // The consuming side gets a client of its own, so the writer's schema is fetched by id, not cached.
    const consumingRegistry = createRegistry(settings.registryUrl);
    const sent = { greeting_uuid: randomUUID(), text: 'salaam', count: 3, note: 'first' };

    const producer = await connectedProducer();
    const { value } = createCodec(registry, schemas, ids, createUpcasting('.', [], schemas)).encode('Greeting', sent);
    await producer.send({ topic, messages: [{ key: sent.greeting_uuid, value }] });

    const consumer = await connectedConsumer({ groupId });
    const received: KafkaMessage[] = [];
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.push(message) });
    await expect.poll(() => received.length, CONSUMED_WITHIN).toBe(1);

    const decoded = await createCodec(consumingRegistry, schemas, ids, createUpcasting('.', [], schemas)).decode(received[0]?.value ?? null);
    expect(decoded).toEqual({ typeName: 'Greeting', writerTypeName: 'Greeting', schemaId: registered?.id, data: sent });
    // The library's own decoder reads the same bytes: they are in the Confluent wire format.
    expect(await consumingRegistry.decode(received[0]?.value as Buffer)).toEqual(sent);
  });

  it('hands both partitions to the second member of a group when the first leaves', async () => {
    const admin = await connectedAdmin();
    const topic = await createTopic(admin, 2);
    const groupId = groupForTest(admin);
    // Fast heartbeats so each member notices a rebalance within a second.
    const member = async (received: string[]) => {
      const consumer = await connectedConsumer({ groupId, heartbeatInterval: 500, sessionTimeout: 10_000 });
      const assignment = trackAssignment(consumer, topic);
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void received.push(String(message.value)) });
      return { consumer, assignment };
    };

    const receivedByA: string[] = [];
    const a = await member(receivedByA);
    await expect.poll(() => a.assignment.partitions, CONSUMED_WITHIN).toEqual([0, 1]);
    const receivedByB: string[] = [];
    const b = await member(receivedByB);
    await expect.poll(() => b.assignment.partitions.length, CONSUMED_WITHIN).toBe(1);

    await a.consumer.disconnect();
    await expect.poll(() => b.assignment.partitions, CONSUMED_WITHIN).toEqual([0, 1]);

    const producer = await connectedProducer();
    await producer.send({
      topic,
      messages: [
        { partition: 0, value: 'after A left, partition 0' },
        { partition: 1, value: 'after A left, partition 1' },
      ],
    });
    await expect.poll(() => [...receivedByB].sort(), CONSUMED_WITHIN).toEqual([
      'after A left, partition 0',
      'after A left, partition 1',
    ]);
    expect(receivedByA).toEqual([]);
  });

  it('applyTopics creates a topic once, then reports drift without altering the broker', async () => {
    const admin = await connectedAdmin();
    const name = uniqueName('int-test');
    deleteTopicAfterTest(admin, name);
    const spec: TopicSpec = { name, partitions: 2, replicationFactor: 1, config: { 'retention.ms': '3600000' }, file: `topics/${name}.json` };
    const transportAdmin = await connectedTransportAdmin();

    expect(await applyTopics(transportAdmin, [spec])).toEqual({ created: [name], unchanged: [], drift: [] });
    expect(await applyTopics(transportAdmin, [spec])).toEqual({ created: [], unchanged: [name], drift: [] });

    const changed: TopicSpec = { ...spec, partitions: 4, config: { 'retention.ms': '7200000' } };
    const report = await applyTopics(transportAdmin, [changed]);
    expect(report.created).toEqual([]);
    expect(report.unchanged).toEqual([]);
    expect(report.drift).toEqual(
      expect.arrayContaining([
        { topic: name, what: 'partitions', file: '4', broker: '2' },
        { topic: name, what: 'retention.ms', file: '7200000', broker: '3600000' },
      ]),
    );
    expect(report.drift).toHaveLength(2);

    const metadata = await admin.fetchTopicMetadata({ topics: [name] });
    expect(metadata.topics[0]?.partitions).toHaveLength(2);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] }],
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('3600000');
  });

  it('refuses a schema version that breaks backward compatibility and accepts one that keeps it', async () => {
    const namespace = uniqueName('inttest');
    const v1 = onlySchema(avroFolder({ 'greeting.avsc': greetingRecord(namespace) }));
    const v2 = onlySchema(avroFolder({ 'greeting-v2.avsc': greetingRecord(namespace, [{ name: 'language', type: 'string' }]) }));
    const v3 = onlySchema(
      avroFolder({ 'greeting-v3.avsc': greetingRecord(namespace, [{ name: 'language', type: 'string', default: 'ar' }]) }),
    );

    deleteSubjectAfterTest(v1.subject);

    const [first] = await registerSchemas(registry, [v1]);
    expect(first).toMatchObject({ subject: `${namespace}.Greeting`, file: v1.file });
    expect(first?.id).toEqual(expect.any(Number));

    const [refused] = await registerSchemas(registry, [v2]);
    expect(refused?.file).toBe(v2.file);
    expect(refused?.id).toBeUndefined();
    expect(refused?.error).toMatch(/incompatib/i);

    const [accepted] = await registerSchemas(registry, [v3]);
    expect(accepted?.error).toBeUndefined();
    expect(accepted?.id).toEqual(expect.any(Number));
    expect(accepted?.id).not.toBe(first?.id);

    const config = await fetch(`${settings.registryUrl}/config/${v1.subject}`);
    expect(config.status).toBe(200);
    expect(await config.json()).toMatchObject({ compatibilityLevel: 'BACKWARD_TRANSITIVE' });
  });
});
