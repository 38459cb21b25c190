import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import { waitForOutcome } from '../../src/client/waitForOutcome.ts';
import type { Projection } from '../../src/core/index.ts';
import { pipelineStatus } from '../../src/operate/status.ts';
import { isHalted, listFailures, resumeProjector, skipHaltedEvent } from '../../src/eventlog/index.ts';
import { projectorNameOf, schemaOf } from '../../src/projection/names.ts';
import { startProjector } from '../../src/projection/projector.ts';
import { startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

const fastRetry = { attempts: 2, initialMs: 10, factor: 2, maxMs: 20 } as const;

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a projection whose handler throws (the counter fixture throws for by = 13)', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  const running: { stop(): Promise<void> }[] = [];
  let counters: Projection;

  beforeAll(async () => {
    pipeline = await isolatedPipeline('failures', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 1 });
    counters = pipeline.config.projections[0]!;
    running.push(await startAggregateWorker(pipeline.runtime));
    sender = await createCommandSender(pipeline.runtime);
  });

  afterAll(async () => {
    await sender?.close();
    for (const part of running) await part.stop();
    await pipeline?.cleanup();
  });

  const increment = async (counter: string, by: number) => {
    const command = await sender.send({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by } });
    return (await waitForOutcome(pipeline.runtime.pool, command.commandUuid)).events[0]!;
  };
  const totalOf = async (projection: Projection, counter: string) => {
    const { rows } = await pipeline.runtime.pool.query(`select total::int from "${schemaOf(projection)}".counters where counter_uuid = $1`, [counter]);
    return rows[0]?.total as number | undefined;
  };

  it('halts by default: status shows the event and error; skip goes on past it', async () => {
    const { runtime } = pipeline;
    running.push(await startProjector(runtime, counters, { retry: fastRetry }));
    const counter = randomUUID();
    await increment(counter, 1);
    const poisoned = await increment(counter, 13);
    await increment(counter, 2);
    const projector = projectorNameOf(counters);
    await eventually(() => isHalted(runtime.pool, projector), Boolean);
    const status = await pipelineStatus(runtime);
    const failure = status.failures.find((f) => f.projector === projector);
    expect(failure).toMatchObject({ status: 'halted', event_uuid: poisoned.eventUuid, event_type: 'Incremented', aggregate_uuid: counter });
    expect(failure?.error).toContain('unlucky increment');
    // Halted: the event after the poisoned one is not applied.
    expect(await totalOf(counters, counter)).toBe(1);

    expect(await skipHaltedEvent(runtime.pool, projector)).toBe(1);
    expect(await eventually(() => totalOf(counters, counter), (total) => total === 16)).toBe(16);
    expect(await listFailures(runtime.pool, projector)).toEqual([]);
  });

  it('halts, and resume retries the same event once the cause is gone', async () => {
    const { runtime } = pipeline;
    const counter = randomUUID();
    const flaky = { ...counters, name: `${counters.name}_flaky` };
    let broken = true;
    const flakyProjection: Projection = {
      ...flaky,
      // Event by event, so every event goes through the flaky handler below.
      applyAll: undefined,
      apply: async (event, sql, schema) => {
        // Only this test's counter: the topic also holds the earlier test's poisoned event.
        if (event.aggregateUuid !== counter) return;
        if (broken) throw new Error('the read model is down');
        await counters.apply(event, sql, schema);
      },
    };
    running.push(await startProjector(runtime, flakyProjection, { retry: fastRetry }));
    await increment(counter, 4);
    await increment(counter, 5);
    const projector = projectorNameOf(flakyProjection);
    await eventually(() => isHalted(runtime.pool, projector), Boolean);
    broken = false;
    expect(await resumeProjector(runtime.pool, projector)).toBe(1);
    expect(await eventually(() => totalOf(flakyProjection, counter), (total) => total === 9)).toBe(9);
  });

  it('parks under the park policy: the event is recorded and the others go on', async () => {
    const { runtime } = pipeline;
    const parking: Projection = { ...counters, name: `${counters.name}_parking`, failurePolicy: 'park' };
    running.push(await startProjector(runtime, parking, { retry: fastRetry }));
    const counter = randomUUID();
    const other = randomUUID();
    await increment(counter, 2);
    const poisoned = await increment(counter, 13);
    await increment(other, 7);
    expect(await eventually(() => totalOf(parking, other), (total) => total !== undefined)).toBe(7);
    const failures = await eventually(() => listFailures(runtime.pool, projectorNameOf(parking)), (rows) => rows.some((f) => f.event_uuid === poisoned.eventUuid));
    expect(failures.find((f) => f.event_uuid === poisoned.eventUuid)).toMatchObject({ status: 'parked', policy: 'park' });
    expect(await isHalted(runtime.pool, projectorNameOf(parking))).toBe(false);
  });
});
