import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChunkTiming } from '../../src/chunkTimings.ts';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import { startProjector } from '../../src/projection/projector.ts';
import { startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('chunk timings (the steady benchmark timeline)', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  const running: { stop(): Promise<void> }[] = [];
  const worker: ChunkTiming[] = [];
  const projector: ChunkTiming[] = [];

  beforeAll(async () => {
    pipeline = await isolatedPipeline('timings', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts') });
    const { runtime, config } = pipeline;
    running.push(await startAggregateWorker(runtime, { timings: { chunk: (timing) => worker.push(timing) } }));
    running.push(await startProjector(runtime, config.projections[0]!, { timings: { chunk: (timing) => projector.push(timing) } }));
    sender = await createCommandSender(runtime);
  });

  afterAll(async () => {
    await sender?.close();
    for (const part of running) await part.stop();
    await pipeline?.cleanup();
  });

  it('reports each command once per part, by its uuid, with times in the order of the chunk', async () => {
    const commands = await sender.sendMany(
      Array.from({ length: 5 }, () => {
        const counter = randomUUID();
        return { commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: 1 } };
      }),
    );
    const uuids = commands.map((c) => c.commandUuid).sort();
    const seen = (timings: ChunkTiming[]) => timings.flatMap((t) => t.commands).sort();
    for (let waited = 0; seen(projector).length < uuids.length && waited < 30_000; waited += 100) await sleep(100);

    expect(seen(worker)).toEqual(uuids);
    expect(seen(projector)).toEqual(uuids);
    for (const timing of worker) {
      expect(timing.appendedAt).toHaveLength(timing.commands.length);
      expect(timing.fetchedAt).toBeGreaterThan(0);
      expect(timing.fetchedAt).toBeLessThanOrEqual(timing.startedAt);
      expect(timing.startedAt).toBeLessThanOrEqual(timing.committedAt);
      expect(timing.committedAt).toBeLessThanOrEqual(timing.producedAt as number);
    }
    for (const timing of projector) {
      expect(timing.fetchedAt).toBeLessThanOrEqual(timing.startedAt);
      expect(timing.startedAt).toBeLessThanOrEqual(timing.committedAt);
      expect(timing.producedAt).toBeUndefined();
    }
  });
});
