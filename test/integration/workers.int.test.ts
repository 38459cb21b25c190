import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import type { CommandEnvelope } from '../../src/core/index.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { aggregateGroupOf } from '../../src/worker/aggregateWorker.ts';
import { spawnStreamfold, waitForOutput, type Child } from '../support/childProcesses.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

describe('two worker processes in one group', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  const children: Child[] = [];

  beforeAll(async () => {
    pipeline = await isolatedPipeline('workers', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 4 });
    sender = await createCommandSender(pipeline.runtime);
  });

  afterAll(async () => {
    for (const child of children) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    await sender?.close();
    await pipeline?.cleanup();
  });

  it('survives one being SIGKILLed mid-run: every command one outcome, no duplicate event, versions gapless', async () => {
    const { runtime } = pipeline;
    // A short session timeout, so the group notices the dead member in seconds, not 30.
    const env = { ...pipeline.childEnv, STREAMFOLD_SESSION_TIMEOUT_MS: '8000', STREAMFOLD_LOG_LEVEL: 'info' };
    for (let i = 0; i < 2; i++) {
      const child = spawnStreamfold(['worker'], env);
      children.push(child);
      await waitForOutput(child, 'worker running');
    }
    const counters = Array.from({ length: 40 }, () => randomUUID());
    const sent: CommandEnvelope[] = [];
    const sendRound = async () => {
      for (const counter of counters) sent.push(await sender.send({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: 1 } }));
    };
    await sendRound();
    // Kill one worker while commands are still arriving and being handled.
    const [victim] = children as [Child, Child];
    const load = (async () => {
      for (let round = 0; round < 9; round++) await sendRound();
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    victim.process.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    await load;
    await waitForQuiescence(runtime, 90_000, [aggregateGroupOf(pipeline.config.app)]);

    const { rows: outcomes } = await runtime.pool.query<{ command_uuid: string; outcome: string }>(
      'select command_uuid::text, outcome from processed_commands where command_uuid = any($1::uuid[])',
      [sent.map((c) => c.commandUuid)],
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(sent.map(() => 'accepted'));
    const { rows: streams } = await runtime.pool.query<{ n: number; max: string; total: number }>(
      `select count(*)::int as n, max(version)::text as max, max((data->>'total')::int) as total from events where stream_id = any($1::uuid[]) group by stream_id`,
      [counters],
    );
    // Ten increments of 1 each per counter: ten events, versions 1..10, total 10. A doubled effect would show here.
    expect(streams).toEqual(counters.map(() => ({ n: 10, max: '10', total: 10 })));
  });

  it('stops cleanly on SIGTERM mid-load; a new worker finishes the rest with nothing lost or doubled', async () => {
    const { runtime } = pipeline;
    const env = { ...pipeline.childEnv, STREAMFOLD_SESSION_TIMEOUT_MS: '8000' };
    const first = spawnStreamfold(['worker'], env);
    children.push(first);
    await waitForOutput(first, 'worker running');
    const counters = Array.from({ length: 50 }, () => randomUUID());
    const inputs = Array.from({ length: 20 }, () => counters.map((counter) => ({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: 2 } }))).flat();
    const sent = await sender.sendMany(inputs);
    await new Promise((resolve) => setTimeout(resolve, 200));
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('stopping');

    const second = spawnStreamfold(['worker'], env);
    children.push(second);
    await waitForOutput(second, 'worker running');
    await waitForQuiescence(runtime, 90_000, [aggregateGroupOf(pipeline.config.app)]);
    const { rows } = await runtime.pool.query<{ n: number }>(
      'select count(*)::int as n from processed_commands where command_uuid = any($1::uuid[]) and outcome = $2',
      [sent.map((c) => c.commandUuid), 'accepted'],
    );
    expect(rows[0]?.n).toBe(sent.length);
    const { rows: streams } = await runtime.pool.query<{ n: number; total: number }>(
      `select count(*)::int as n, max((data->>'total')::int) as total from events where stream_id = any($1::uuid[]) group by stream_id`,
      [counters],
    );
    // Every counter has a stream: twenty increments of 2, twenty events, total 40.
    expect(streams).toEqual(counters.map(() => ({ n: 20, total: 40 })));
  });
});
