import { randomUUID } from 'node:crypto';
import avro from 'avsc';
import { SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { deadLetterTopicOf } from '../../src/messaging/deadLetters.ts';
import { commandHeaders } from '../../src/messaging/envelopeHeaders.ts';
import { faultStack } from './faultStack.ts';
import { unknownSchemaIdValue } from './poison.ts';
import { runScenario } from './scenario.ts';
import { rawKafka } from '../support/rawKafka.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Increment as a newer producer writes it: one more optional field, a writer schema the workers have never fetched. */
const incrementV2 = {
  type: 'record',
  name: 'Increment',
  namespace: 'fixtures.counter',
  fields: [
    { name: 'counter_uuid', type: 'string' },
    { name: 'by', type: 'int' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

// Fault 6: the schema registry stopped during load. Messages written with a schema id the
// processes have not cached cannot be decoded meanwhile: no offset may move past them, nothing
// may be dead-lettered for it, and everything goes on when the registry returns.
describe('fault 6: the schema registry stopped during load', () => {
  it('holds the offsets of messages it cannot decode, dead-letters nothing for it, and resumes when the registry returns', async () => {
    let v2: { id: number; type: avro.Type } | undefined;
    let outageFrom = Number.POSITIVE_INFINITY;
    const report = await runScenario({
      label: 'fault-6-registry-stopped',
      workers: 2,
      load: {
        aggregates: 120,
        rounds: 24,
        intervalMs: 600,
        // From the outage on, commands are written with the newer writer schema.
        valueFor: (command, data) => {
          if (!v2 || command.round < outageFrom) return undefined;
          const header = Buffer.alloc(5);
          header.writeInt32BE(v2.id, 1);
          return Buffer.concat([header, v2.type.toBuffer({ ...data, note: `round ${command.round}` })]);
        },
      },
      inject: async ({ pipeline, fleet, injected, expectDeadLetters, commandTopic }) => {
        const { runtime } = pipeline;
        const { id } = await runtime.registry.register(
          { type: SchemaType.AVRO, schema: JSON.stringify(incrementV2) },
          { subject: 'fixtures.counter.Increment', compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE },
        );
        v2 = { id, type: avro.Type.forSchema(incrementV2 as avro.Schema) };
        await sleep(3_000);
        await faultStack.stop('registry');
        outageFrom = 6;
        injected('registryStops');
        // During the outage: an unknown schema id (unknowable while the registry is away), and a projector restarted (it must wait for the registry).
        const producer = rawKafka(runtime).producer();
        await producer.connect();
        // A sound key and envelope, so the door gets as far as the value's schema id.
        const aggregate = randomUUID();
        const envelope = { commandType: 'Increment', commandUuid: randomUUID(), aggregateType: 'Counter', aggregateUuid: aggregate, data: {}, metadata: { issuedAt: new Date().toISOString(), issuedBy: 'fault', role: 'test', correlationId: randomUUID() } };
        await producer.send({ topic: commandTopic, acks: -1, messages: [{ key: aggregate, value: unknownSchemaIdValue(), headers: commandHeaders(envelope) }] });
        await producer.disconnect();
        expectDeadLetters(deadLetterTopicOf(commandTopic), 1);
        await fleet.kill('projector-1');
        await sleep(15_000);
        await faultStack.start();
        await fleet.waitReady('projector-1');
      },
    });
    expect(report.numbers.deadLettered).toBe(1);
  });
});
