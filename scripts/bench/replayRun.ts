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
import { readStackSettings } from '../../src/stack/settings.ts';
import { cpuPerCommand, sampleCpu, type CpuSample } from './cpuTime.ts';

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

/** A replay's rate and, from the topics, the CPU each part spent per event while it ran. */
export interface ReplayMeasure {
  readonly eventsPerSecond: number;
  /** µs of CPU per event: the replay process, the broker, every Postgres backend, all; and the cores' share in use. */
  readonly cpu?: { readonly replay: number; readonly broker: number; readonly postgres: number; readonly total: number; readonly coresBusy: number };
}

/**
 * `streamfold replay` of a fresh version as an operator runs it, in child processes: one, or
 * several joined to the version's consumer group, which share its partitions. From the topics,
 * the rate counts from its first event committed to its last (polling the group's committed
 * offsets, which costs Postgres nothing), so tsx start-up and the group join stay out; CPU is
 * sampled over the same stretch. From the event log it is the rate the command itself prints
 * when the log is read.
 */
export async function replayRate(
  pipeline: IsolatedPipeline,
  events: number,
  version: number,
  source: 'topics' | 'eventlog',
  processes = 1,
  env: NodeJS.ProcessEnv = {},
  nodeArgs: string[] = [],
): Promise<ReplayMeasure> {
  const { config, runtime } = pipeline;
  const projection = config.projections[0]!;
  const args = ['replay', projection.name, '--version', String(version), ...(source === 'eventlog' ? ['--source', 'eventlog'] : [])];
  const children: Child[] = Array.from({ length: source === 'eventlog' ? 1 : processes }, () => spawnStreamfold(args, { ...pipeline.childEnv, ...env }, nodeArgs));
  const admin = createKafka(runtime.settings, `${config.app}.bench`).admin();
  await admin.connect();
  // The replay processes in the workers' place; the bench's own polling is the "sender".
  const cpuParts = { workers: children.map((c) => c.process.pid), projector: undefined, stateDir: readStackSettings().stateDir };
  try {
    const group = projectionGroupOf(config.app, { name: projection.name, version }, runtime.readDatabase);
    const topic = eventTopicOf(config.domains[0]!);
    let first: { at: number; applied: number; cpu: CpuSample } | undefined;
    for (;;) {
      if (source === 'eventlog') {
        const printed = /read \d+ events from the event log in [\d.]+ s \((\d+) events\/s\)/.exec(children[0]!.output());
        if (printed) return { eventsPerSecond: Number(printed[1]) };
      } else {
        const applied = await committedCount(admin, group, topic);
        if (applied > 0) first ??= { at: performance.now(), applied, cpu: sampleCpu(cpuParts) };
        if (first && applied >= events) {
          const seconds = (performance.now() - first.at) / 1000;
          const used = cpuPerCommand(first.cpu, sampleCpu(cpuParts), applied - first.applied, seconds);
          const cpu = { replay: used['cpu worker µs']!, broker: used['cpu broker µs']!, postgres: used['cpu postgres µs']!, total: used['cpu total µs']!, coresBusy: used['cores busy %']! };
          return { eventsPerSecond: events / seconds, cpu };
        }
      }
      const exited = children.find((c) => c.process.exitCode !== null);
      if (exited) throw new Error(`streamfold ${args.join(' ')} exited early:\n${exited.output()}`);
      await sleep(20);
    }
  } finally {
    await admin.disconnect();
    for (const child of children) child.process.kill('SIGINT');
    await Promise.all(children.map((c) => c.exited));
  }
}
