import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createCommandSender } from '../../src/client/commandSender.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { projectorNameOf } from '../../src/projection/names.ts';
import { aggregateGroupOf } from '../../src/worker/aggregateWorker.ts';
import { spawnStreamfold, waitForOutput, type Child } from '../../test/support/childProcesses.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../../test/support/isolatedPipeline.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A pipeline whose topics and event log hold `events` Incremented events (the counter fixture,
 * 10,000 counters, 6 partitions), put there by a real worker process. Built once per bench
 * invocation; each run then replays it into a fresh projection version.
 */
export async function loadedPipeline(events: number): Promise<IsolatedPipeline> {
  const pipeline = await isolatedPipeline('replaybench', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 6 });
  const worker = spawnStreamfold(['worker'], pipeline.childEnv);
  try {
    await waitForOutput(worker, 'worker running');
    const sender = await createCommandSender(pipeline.runtime);
    const counters = Array.from({ length: 10_000 }, () => randomUUID());
    for (let sent = 0; sent < events; sent += 1000) {
      const batch = Array.from({ length: Math.min(1000, events - sent) }, (_, i) => {
        const counter = counters[(sent + i) % counters.length] as string;
        return { commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: 1 } };
      });
      await sender.sendMany(batch);
    }
    await sender.close();
    await waitForQuiescence(pipeline.runtime, 60 * 60_000, [aggregateGroupOf(pipeline.config.app)]);
  } catch (error) {
    await pipeline.cleanup();
    throw error;
  } finally {
    worker.process.kill('SIGTERM');
    await worker.exited;
  }
  return pipeline;
}

/**
 * `streamfold replay` of a fresh version as an operator runs it, in a child process; the rate
 * counts from its first event applied to its last, so tsx start-up and the group join stay out.
 */
export async function replayRate(pipeline: IsolatedPipeline, events: number, version: number, source: 'topics' | 'eventlog'): Promise<number> {
  const name = pipeline.config.projections[0]?.name as string;
  const projector = projectorNameOf({ name, version });
  const args = ['replay', name, '--version', String(version), ...(source === 'eventlog' ? ['--source', 'eventlog'] : [])];
  const child: Child = spawnStreamfold(args, pipeline.childEnv);
  try {
    let firstAt: number | undefined;
    for (;;) {
      const { rows } = await pipeline.runtime.readPool.query<{ n: number }>('select count(*)::int as n from projected_events where projector = $1', [projector]);
      const applied = rows[0]?.n ?? 0;
      if (applied > 0) firstAt ??= performance.now();
      if (applied >= events) return events / ((performance.now() - (firstAt as number)) / 1000);
      if (child.process.exitCode !== null) throw new Error(`streamfold ${args.join(' ')} exited early:\n${child.output()}`);
      await sleep(20);
    }
  } finally {
    child.process.kill('SIGINT');
    await child.exited;
  }
}
