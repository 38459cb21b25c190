import { randomUUID } from 'node:crypto';
import path from 'node:path';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import { waitForOutcome } from '../../src/client/waitForOutcome.ts';
import { isVersionConflict } from '../../src/core/index.ts';
import { appendToStream, inTransaction } from '../../src/eventlog/index.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { schemaOf } from '../../src/projection/names.ts';
import { startProjector } from '../../src/projection/projector.ts';
import { handleCommand } from '../../src/worker/handleCommand.ts';
import { StateCache } from '../../src/worker/stateCache.ts';
import { startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { readTopic } from '../support/readTopic.ts';
import { rawKafka } from '../support/rawKafka.ts';

describe('delivery guarantees, with a domain built from the public API only (test/fixtures/counter)', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  const running: { stop(): Promise<void> }[] = [];
  const eventsTopic = () => `${pipeline.named('counter')}.events`;

  beforeAll(async () => {
    pipeline = await isolatedPipeline('delivery', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts') });
    running.push(await startAggregateWorker(pipeline.runtime));
    running.push(await startProjector(pipeline.runtime, pipeline.config.projections[0]!));
    sender = await createCommandSender(pipeline.runtime);
  });

  afterAll(async () => {
    await sender?.close();
    for (const part of running) await part.stop();
    await pipeline?.cleanup();
  });

  it('runs the fixture domain through the real pipeline: command in, events and projection rows out', async () => {
    const { runtime } = pipeline;
    const counter = randomUUID();
    const sent = [];
    for (const by of [1, 2, 3]) sent.push(await sender.send({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by } }));
    const outcomes = [];
    for (const c of sent) outcomes.push(await waitForOutcome(runtime.pool, c.commandUuid));
    expect(outcomes.map((o) => o.events.map((e) => [e.eventType, e.data.total]))).toEqual([[['Incremented', 1]], [['Incremented', 3]], [['Incremented', 6]]]);
    await waitForQuiescence(runtime);
    const { rows } = await runtime.pool.query(`select total::int, applied from "${schemaOf(pipeline.config.projections[0]!)}".counters where counter_uuid = $1`, [counter]);
    expect(rows).toEqual([{ total: 6, applied: 3 }]);
    // …and no other event: the stream holds exactly these three.
    const { rows: all } = await runtime.pool.query(`select type from events where stream_id = $1 order by version`, [counter]);
    expect(all.map((r) => r.type)).toEqual(['Incremented', 'Incremented', 'Incremented']);
  });

  it('applies an event delivered twice to a projector once', async () => {
    const { runtime } = pipeline;
    const counter = randomUUID();
    const command = await sender.send({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: 5 } });
    const { events } = await waitForOutcome(runtime.pool, command.commandUuid);
    await waitForQuiescence(runtime);
    const original = (await readTopic(rawKafka(runtime), eventsTopic())).find((m) => m.headers?.['event-uuid']?.toString() === events[0]?.eventUuid);
    expect(original).toBeDefined();
    const producer = rawKafka(runtime).producer();
    await producer.connect();
    await producer.send({ topic: eventsTopic(), messages: [{ key: original!.key, value: original!.value, headers: original!.headers }] });
    await producer.disconnect();
    await waitForQuiescence(runtime);
    const { rows } = await runtime.pool.query(`select applied from "${schemaOf(pipeline.config.projections[0]!)}".counters where counter_uuid = $1`, [counter]);
    expect(rows).toEqual([{ applied: 1 }]);
  });

  it('lets one of two writers appending the same version win; the other reloads and retries', async () => {
    const { runtime } = pipeline;
    const counter = randomUUID();
    const context = {
      streamType: 'Counter',
      streamId: counter,
      expectedVersion: 0n,
      causedBy: { commandType: 'Increment', commandUuid: randomUUID() },
      correlationId: randomUUID(),
    };
    const event = (by: number) => [{ eventUuid: randomUUID(), type: 'Incremented', schemaId: runtime.codec.schemaIdOf('Incremented'), data: { counter_uuid: counter, by, total: by } }];
    const results = await Promise.allSettled([
      inTransaction(runtime.pool, (client) => appendToStream(client, context, event(1))),
      inTransaction(runtime.pool, (client) => appendToStream(client, context, event(2))),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(isVersionConflict(loser?.reason)).toBe(true);

    // A worker whose cached state is stale (it believes version 0) conflicts, reloads and decides again.
    const staleCache = new StateCache<unknown>(10);
    staleCache.set(counter, 0n, { total: 0 });
    const domain = pipeline.config.domains[0]!;
    const command = {
      commandType: 'Increment',
      commandUuid: randomUUID(),
      aggregateType: 'Counter',
      aggregateUuid: counter,
      data: { counter_uuid: counter, by: 10 },
      metadata: { issuedAt: new Date().toISOString(), issuedBy: 'test', role: 'test', correlationId: randomUUID() },
    };
    const result = await inTransaction(runtime.pool, (client) => handleCommand(client, domain, command, runtime.codec, staleCache));
    expect(result.outcome).toBe('accepted');
    expect(result.events.map((e) => [e.aggregateVersion, e.data.total])).toEqual([[2n, (await firstTotal()) + 10]]);

    async function firstTotal() {
      const { rows } = await runtime.pool.query(`select (data->>'total')::int as total from events where stream_id = $1 and version = 1`, [counter]);
      return rows[0].total as number;
    }
  });

  it('publishes events a plain Avro decoder reads with only the registry schema', async () => {
    const { runtime, settings } = pipeline;
    const counter = randomUUID();
    const command = await sender.send({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: 7 } });
    const { events } = await waitForOutcome(runtime.pool, command.commandUuid);
    await waitForQuiescence(runtime);
    const message = (await readTopic(rawKafka(runtime), eventsTopic())).find((m) => m.headers?.['event-uuid']?.toString() === events[0]?.eventUuid);
    const value = message!.value!;
    expect(value[0]).toBe(0);
    const response = await fetch(`${settings.registryUrl}/schemas/ids/${value.readInt32BE(1)}`);
    const { schema } = (await response.json()) as { schema: string };
    const decoded = avro.Type.forSchema(JSON.parse(schema)).fromBuffer(value.subarray(5));
    expect({ ...decoded }).toEqual({ counter_uuid: counter, by: 7, total: 7 });
    expect(message!.key!.toString()).toBe(counter);
    expect(message!.headers?.['event-type']?.toString()).toBe('Incremented');
    expect(message!.headers?.['aggregate-version']?.toString()).toBe('1');
    expect(message!.headers?.['causation-id']?.toString()).toBe(command.commandUuid);
  });

  it('records a command the decider finds invalid, with the reason', async () => {
    const { runtime } = pipeline;
    const counter = randomUUID();
    // Avro accepts a negative int; the domain does not.
    const command = await sender.send({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: -1 } });
    const { command: row, events } = await waitForOutcome(runtime.pool, command.commandUuid);
    expect(row.outcome).toBe('invalid');
    expect(row.reason).toContain('by: must be positive');
    expect(events).toEqual([]);
  });
});
