import { randomBytes, randomUUID } from 'node:crypto';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avroDirOf } from '../../src/config/streamfoldConfig.ts';
import { createRegistry, loadSchemas } from '../../src/messaging/schemaCatalog.ts';
import { checkSchemas, messageTypesOf } from '../../src/schemaCheck.ts';
import { isolatedPipeline, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

describe('schemas check judges only the message types of its own config', () => {
  let pipeline: IsolatedPipeline;

  /** Appends one event row as a writer would, with the registry id of the schema it was written with. */
  const appendRow = (streamType: string, type: string, schemaId: number, data: object) =>
    pipeline.runtime.pool.query(
      `insert into events (stream_type, stream_id, version, event_uuid, type, schema_id, data, caused_by_command_type, caused_by_command_uuid, correlation_id)
       values ($1, $2, 1, $3, $4, $5, $6, 'Whatever', $7, $7)`,
      [streamType, randomUUID(), randomUUID(), type, schemaId, JSON.stringify(data), randomUUID()],
    );

  beforeAll(async () => {
    pipeline = await isolatedPipeline('schemacheck', { partitions: 1 });
    const registry = createRegistry(pipeline.settings.registryUrl);
    const ours = loadSchemas(avroDirOf(pipeline.config)).get('PeriodAdded');
    const periodAdded = await registry.getLatestSchemaId(ours?.subject as string);
    const roster = randomUUID();
    await appendRow('Roster', 'PeriodAdded', periodAdded, { roster_uuid: roster, period_uuid: randomUUID(), name: 'Homeroom' });

    // Another app writing to the same database: a PeriodAdded of its own our schema cannot read, and a type we lack.
    const namespace = `fixtures.timetable_${randomBytes(3).toString('hex')}`;
    const foreign = async (name: string, fields: object[]) =>
      (await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name, namespace, fields }) }, { subject: `${namespace}.${name}` })).id;
    await appendRow('Timetable', 'PeriodAdded', await foreign('PeriodAdded', [{ name: 'slot', type: 'int' }]), { slot: 3 });
    await appendRow('Timetable', 'LessonMoved', await foreign('LessonMoved', [{ name: 'room', type: 'string' }]), { room: 'B2' });
  });

  afterAll(async () => {
    await pipeline?.cleanup();
  });

  it("passes over another app's types and streams in the event log", async () => {
    const results = await checkSchemas(pipeline.settings, pipeline.config);
    // Before, both foreign rows were judged: PeriodAdded and LessonMoved BREAKING.
    expect(results.filter((r) => r.subject.startsWith('event log: '))).toEqual([
      { subject: 'event log: PeriodAdded', file: expect.stringMatching(/PeriodAdded\.avsc$/), verdict: 'unchanged', details: [] },
    ]);
  });

  it("compares only the schemas of the config's domains with the registry", async () => {
    const rosterOnly = { ...pipeline.config, domains: pipeline.config.domains.filter((d) => d.aggregateType === 'Roster') };
    const results = await checkSchemas(pipeline.settings, rosterOnly);
    const types = messageTypesOf(rosterOnly);
    const local = results.filter((r) => !r.subject.startsWith('event log: '));
    expect(local.map((r) => r.subject.split('.').pop())).toEqual(expect.arrayContaining(['AddPeriod', 'PeriodAdded', 'AlreadyEnrolled']));
    expect(local.filter((r) => !types.has(r.subject.split('.').pop() as string))).toEqual([]);
    expect(results.map((r) => r.subject)).toEqual(expect.not.arrayContaining([expect.stringMatching(/Reciter|Album|StudentName/)]));
  });
});
