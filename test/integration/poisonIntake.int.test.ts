import { randomUUID } from 'node:crypto';
import path from 'node:path';
import avro from 'avsc';
import type { IHeaders, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import { waitForOutcome } from '../../src/client/waitForOutcome.ts';
import type { Domain } from '../../src/core/index.ts';
import { findProcessedCommand } from '../../src/eventlog/index.ts';
import { startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { readTopic } from '../support/readTopic.ts';
import { rawKafka } from '../support/rawKafka.ts';

/**
 * What a producer in another language can write to a command topic, produced with a raw kafkajs
 * producer and Avro encoded by hand (no logical types, no checks): each message gets its one
 * outcome, and the good command behind them is processed.
 */
describe('poison on a command topic, from a producer that is not streamfold', () => {
  let pipeline: IsolatedPipeline;
  let producer: Producer;
  let sender: CommandSender;
  let worker: { stop(): Promise<void> };
  const topic = () => `${pipeline.named('counter')}.commands`;
  // The wire format by hand: the registry id of today's schema, the Avro body of a plain writer.
  const plainIncrement = avro.Type.forSchema({ type: 'record', name: 'Increment', namespace: 'fixtures.counter', fields: [{ name: 'counter_uuid', type: 'string' }, { name: 'by', type: 'int' }] });
  const wire = (data: { counter_uuid: string; by: number }) => {
    const head = Buffer.alloc(5);
    head.writeInt32BE(pipeline.runtime.codec.schemaIdOf('Increment'), 1);
    return Buffer.concat([head, plainIncrement.toBuffer(data)]);
  };
  const headers = (commandUuid: string): IHeaders => ({
    'command-type': 'Increment',
    'command-uuid': commandUuid,
    'aggregate-type': 'Counter',
    'issued-at': new Date().toISOString(),
    'correlation-id': randomUUID(),
  });

  beforeAll(async () => {
    pipeline = await isolatedPipeline('poison', { partitions: 1, configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts') });
    // A decider with a bug that throws on one value: that command must not hold up the others.
    const domain = pipeline.runtime.domainNamed(pipeline.named('counter')) as { -readonly [K in keyof Domain]: Domain[K] };
    const decider = domain.decider;
    domain.decider = { ...decider, decide: (command, state) => ((command.data as { by: number }).by === 7 ? raise('seven is not handled') : decider.decide(command, state)) };
    worker = await startAggregateWorker(pipeline.runtime);
    producer = rawKafka(pipeline.runtime).producer();
    await producer.connect();
    sender = await createCommandSender(pipeline.runtime);
  });

  afterAll(async () => {
    await sender?.close();
    await producer?.disconnect();
    await worker?.stop();
    await pipeline?.cleanup();
  });

  it('dead-letters a broken envelope, records bad data as invalid, and processes the good command behind them', async () => {
    const counter = randomUUID();
    const uuids = { nul: randomUUID(), notUuid: randomUUID(), surrogate: randomUUID(), good: randomUUID() };
    await producer.send({
      topic: topic(),
      messages: [
        { key: 'not-a-key', value: wire({ counter_uuid: counter, by: 1 }), headers: headers(randomUUID()) },
        { key: counter, value: wire({ counter_uuid: counter, by: 1 }), headers: headers('abc') },
        { key: counter, value: wire({ counter_uuid: counter, by: 1 }), headers: { ...headers(randomUUID()), 'correlation-id': 'x' } },
        { key: counter, value: wire({ counter_uuid: `${counter}\u0000`, by: 1 }), headers: headers(uuids.nul) },
        { key: counter, value: wire({ counter_uuid: 'not-a-uuid', by: 1 }), headers: headers(uuids.notUuid) },
        { key: counter, value: wire({ counter_uuid: '\ud800', by: 1 }), headers: headers(uuids.surrogate) },
        { key: counter, value: wire({ counter_uuid: counter, by: 2 }), headers: headers(uuids.good) },
      ],
    });
    const good = await waitForOutcome(pipeline.runtime.pool, uuids.good, 20_000);
    expect(good.command.outcome).toBe('accepted');
    expect(good.events.map((e) => e.data.total)).toEqual([2]);

    const reasons = await Promise.all([uuids.nul, uuids.notUuid, uuids.surrogate].map((uuid) => findProcessedCommand(pipeline.runtime.pool, uuid)));
    expect(reasons.map((r) => r?.outcome)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(reasons[0]?.reason).toContain('counter_uuid');
    expect(reasons[0]?.reason).toContain('U+0000');
    expect(reasons[1]?.reason).toContain('counter_uuid: "not-a-uuid" is not a uuid');
    // UTF-8 cannot carry a lone surrogate: the Avro bytes hold U+FFFD, which the uuid type refuses.
    expect(reasons[2]?.reason).toMatch(/counter_uuid: "\uFFFD+" is not a uuid/);
    // Archived, with what Postgres could not store replaced.
    expect(reasons[0]?.data).toEqual({ counter_uuid: `${counter}\uFFFD`, by: 1 });

    const dead = await readTopic(rawKafka(pipeline.runtime), `${topic()}.dlq`);
    expect(dead.map((m) => [m.headers?.['dlq-error-code']?.toString(), m.headers?.['dlq-source-offset']?.toString()])).toEqual([
      ['BAD_KEY', '0'],
      ['BAD_HEADERS', '1'],
      ['BAD_HEADERS', '2'],
    ]);
    expect(dead[1]?.headers?.['dlq-error']?.toString()).toBe('header command-uuid "abc" is not a uuid');
    expect(dead[2]?.headers?.['dlq-error']?.toString()).toBe('header correlation-id "x" is not a uuid');
  });

  it('records a command whose decider throws as invalid, and commits the rest of its chunk', async () => {
    const counters = [randomUUID(), randomUUID(), randomUUID()];
    const sent = await sender.sendMany([
      { commandType: 'Increment', aggregateUuid: counters[0]!, data: { counter_uuid: counters[0], by: 1 } },
      { commandType: 'Increment', aggregateUuid: counters[1]!, data: { counter_uuid: counters[1], by: 7 } },
      { commandType: 'Increment', aggregateUuid: counters[2]!, data: { counter_uuid: counters[2], by: 3 } },
      { commandType: 'Increment', aggregateUuid: counters[0]!, data: { counter_uuid: counters[0], by: 4 } },
    ]);
    const outcomes = [];
    for (const command of sent) outcomes.push(await waitForOutcome(pipeline.runtime.pool, command.commandUuid, 20_000));
    expect(outcomes.map((o) => o.command.outcome)).toEqual(['accepted', 'invalid', 'accepted', 'accepted']);
    expect(outcomes[3]?.events.map((e) => e.data.total)).toEqual([5]);
    const failed = await findProcessedCommand(pipeline.runtime.pool, sent[1]!.commandUuid);
    expect(failed?.reason).toContain('decider threw on Increment: seven is not handled');
  });
});

function raise(message: string): never {
  throw new Error(message);
}
