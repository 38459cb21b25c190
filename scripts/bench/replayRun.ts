import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createCommandSender } from '../../src/client/commandSender.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { eventTopicOf } from '../../src/core/index.ts';
import { projectionGroupOf } from '../../src/projection/names.ts';
import { aggregateGroupOf } from '../../src/worker/aggregateWorker.ts';
import { spawnStreamfold, waitForOutput, type Child } from '../../test/support/childProcesses.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../../test/support/isolatedPipeline.ts';
import { committedCount } from './committed.ts';
import { createKafka } from '../../src/messaging/kafkajs/kafka.ts';

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
 * `streamfold replay` of a fresh version as an operator runs it, in a child process. From the
 * topics, the rate counts from its first event committed to its last (polling the group's
 * committed offsets, which costs Postgres nothing), so tsx start-up and the group join stay out.
 * From the event log it is the rate the command itself prints when the log is read.
 */
export async function replayRate(pipeline: IsolatedPipeline, events: number, version: number, source: 'topics' | 'eventlog'): Promise<number> {
  const { config, runtime } = pipeline;
  const projection = config.projections[0]!;
  const args = ['replay', projection.name, '--version', String(version), ...(source === 'eventlog' ? ['--source', 'eventlog'] : [])];
  const child: Child = spawnStreamfold(args, pipeline.childEnv);
  const admin = createKafka(runtime.settings, `${config.app}.bench`).admin();
  await admin.connect();
  try {
    const group = projectionGroupOf(config.app, { name: projection.name, version }, runtime.readDatabase);
    const topic = eventTopicOf(config.domains[0]!);
    let firstAt: number | undefined;
    for (;;) {
      if (source === 'eventlog') {
        const printed = /read \d+ events from the event log in [\d.]+ s \((\d+) events\/s\)/.exec(child.output());
        if (printed) return Number(printed[1]);
      } else {
        const applied = await committedCount(admin, group, topic);
        if (applied > 0) firstAt ??= performance.now();
        if (applied >= events) return events / ((performance.now() - (firstAt as number)) / 1000);
      }
      if (child.process.exitCode !== null) throw new Error(`streamfold ${args.join(' ')} exited early:\n${child.output()}`);
      await sleep(20);
    }
  } finally {
    await admin.disconnect();
    child.process.kill('SIGINT');
    await child.exited;
  }
}
