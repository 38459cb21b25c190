import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import { waitForProjection } from '../../src/client/waitForProjection.ts';
import { schemaOf } from '../../src/projection/names.ts';
import { startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { spawnStreamfold, waitForOutput, type Child } from '../support/childProcesses.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

describe('read your writes: waiting for a projection to apply a command', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  const stops: { stop(): Promise<void> }[] = [];
  const children: Child[] = [];

  beforeAll(async () => {
    pipeline = await isolatedPipeline('ryw', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 1 });
    stops.push(await startAggregateWorker(pipeline.runtime));
    sender = await createCommandSender(pipeline.runtime);
  });

  afterAll(async () => {
    for (const child of children) {
      child.process.kill('SIGTERM');
      await child.exited;
    }
    await sender?.close();
    for (const part of stops) await part.stop();
    await pipeline?.cleanup();
  });

  it('times out with a message naming what it waited for while the projector is stopped, and returns once the row exists', async () => {
    const counters = pipeline.config.projections[0]!;
    const counter = randomUUID();
    const command = await sender.send({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: 3 } });
    await expect(waitForProjection(pipeline.runtime, command.commandUuid, counters.name, 1500)).rejects.toThrow(
      new RegExp(`projection ${counters.name} .* has applied 0 of the 1 events of command ${command.commandUuid} after 1500 ms\\. Is \`streamfold project --projection ${counters.name}\` running\\?`),
    );

    const projector = spawnStreamfold(['project'], pipeline.childEnv);
    children.push(projector);
    await waitForOutput(projector, 'projectors running');
    const { waitedMs } = await waitForProjection(pipeline.runtime, command.commandUuid, counters.name, 30_000);
    expect(waitedMs).toBeGreaterThan(0);
    const { rows } = await pipeline.runtime.pool.query(`select total::int from "${schemaOf(counters)}".counters where counter_uuid = $1`, [counter]);
    expect(rows).toEqual([{ total: 3 }]);
  });

  it('does the same from the CLI: send --wait-for <projection>', async () => {
    const counter = randomUUID();
    const child = spawnStreamfold(['send', 'Increment', '--aggregate', counter, '--data', JSON.stringify({ counter_uuid: counter, by: 4 }), '--wait-for', pipeline.config.projections[0]!.name], pipeline.childEnv);
    expect(await child.exited).toBe(0);
    expect(child.output()).toMatch(/outcome: accepted[\s\S]*projection counters_ryw_\w+ has applied them \(\d+ ms after sending\)/);
    const { rows } = await pipeline.runtime.pool.query(`select total::int from "${schemaOf(pipeline.config.projections[0]!)}".counters where counter_uuid = $1`, [counter]);
    expect(rows).toEqual([{ total: 4 }]);
  });

  it('refuses an unknown projection, naming the known ones', async () => {
    await expect(waitForProjection(pipeline.runtime, randomUUID(), 'nope', 100)).rejects.toThrow(/no projection named nope; the config has counters_ryw_/);
  });
});
