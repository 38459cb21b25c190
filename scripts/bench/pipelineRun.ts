import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createCommandSender, type CommandInput } from '../../src/client/commandSender.ts';
import { commandTopicOf, eventTopicOf } from '../../src/core/index.ts';
import { projectionGroupOf, projectorNameOf } from '../../src/projection/names.ts';
import { aggregateGroupOf } from '../../src/worker/aggregateWorker.ts';
import { spawnStreamfold, waitForOutput, type Child } from '../../test/support/childProcesses.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../../test/support/isolatedPipeline.ts';
import { readStackSettings } from '../../src/stack/settings.ts';
import { committedCount } from './committed.ts';
import { cpuPerCommand, sampleCpu, sampleWrites, writesPerCommand } from './cpuTime.ts';
import { monotonicUs, type ProfileWindow } from './cpuProfile.ts';
import { sendAtRate } from './pacing.ts';
import { percentile } from './stats.ts';
import { createKafka } from '../../src/messaging/kafkajs/kafka.ts';
import { epochNow, Timeline, useLogAppendTime } from './timeline.ts';

export interface RunResult {
  readonly commands: number;
  readonly seconds: number;
  readonly commandsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Send → the worker's transaction, the first hop of the latency. */
  readonly p50ToWorkerMs: number;
  /** Where the worker's time went, summed over its chunks. */
  readonly worker: { chunks: number; transactionMs: number; produceMs: number };
  /** CPU µs per command of each process (sender, worker, projector, broker, registry, postgres), the cores' share used, and WAL bytes per command. */
  readonly cpu: Record<string, number>;
  readonly workerPeakRssMb: number;
  /** With `timeline`: p50 and p99 of each hop (timeline.ts), and the rate the generator held. */
  readonly timeline?: Record<string, number>;
  /** The measured stretch (first send to last projection), on the clock CPU profiles are stamped with. */
  readonly window: ProfileWindow;
}

/** Resident memory of a process, from /proc (Linux). */
function rssMbOf(pid: number | undefined): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

const counterConfig = path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The counter fixture's one command: add 1 to a counter. */
const incrementOf = (counter: string): CommandInput => ({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: 1 } });

/**
 * One measured run on a fresh pipeline: the counter fixture domain (one event per command) and
 * its projection, the worker and the projector each in a child process, as in production.
 */
export interface RunOptions {
  /** `outcomes`: the worker path alone (no projector), done when every command has its outcome. */
  readonly until?: 'projection' | 'outcomes';
  /** How many aggregates the commands go round (10,000 by default). */
  readonly aggregates?: number;
  /** Worker processes in the group (1 by default); each gets its share of the partitions. */
  readonly workers?: number;
  /** The streamfold config the children run (the counter fixture's by default). */
  readonly configFile?: string;
  /** Extra environment for every child (a tuning setting under test). */
  readonly env?: NodeJS.ProcessEnv;
  /** Extra environment and node flags for the worker and projector children (a cache size, a CPU profile). */
  readonly worker?: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] };
  readonly projector?: { nodeArgs?: string[] };
  /** Times each command hop by hop: append times on the topics, and chunk timing lines from the children. */
  readonly timeline?: boolean;
  /**
   * Producers the load generator sends through, each send on the least busy: one has one request
   * in flight (idempotent), so sends that do not wait for each other queue behind its round trips.
   */
  readonly senders?: number;
  /**
   * After the bulk warm-up, commands sent one per send at this rate for this long (to aggregates of
   * their own, so the measured commands find the same caches as without it), all projected before
   * the clock starts: what runs at a steady rate for hours has its hot code compiled (the workers'
   * and projector's V8, the broker's JVM), which a few bulk chunks do not bring about. The commands
   * are the counter fixture's, as every run's are.
   */
  readonly pacedWarmUp?: { rate: number; seconds: number };
}

export async function pipelineRun(
  send: (inputsFor: (n: number) => CommandInput[], sendMany: (inputs: CommandInput[]) => Promise<void>) => Promise<number>,
  { until = 'projection', aggregates = 10_000, workers = 1, configFile = counterConfig, env = {}, worker = {}, projector = {}, timeline: timed = false, senders: senderCount = 1, pacedWarmUp }: RunOptions = {},
): Promise<RunResult> {
  const pipeline: IsolatedPipeline = await isolatedPipeline('bench', { configFile, partitions: 6 });
  const timingEnv = timed ? { STREAMFOLD_CHUNK_TIMINGS: '1', STREAMFOLD_LOG_LEVEL: 'debug' } : {};
  const childEnv = { ...pipeline.childEnv, ...timingEnv, ...env };
  const children: Child[] = [];
  try {
    // `debug` makes each worker log its chunks' timings, summed below.
    const workerChildren = Array.from({ length: workers }, () =>
      spawnStreamfold(['worker'], { ...childEnv, STREAMFOLD_LOG_LEVEL: 'debug', ...worker.env }, worker.nodeArgs),
    );
    children.push(...workerChildren);
    for (const child of workerChildren) await waitForOutput(child, 'worker running');
    if (until === 'projection') {
      const projectorChild = spawnStreamfold(['project'], childEnv, projector.nodeArgs);
      children.push(projectorChild);
      await waitForOutput(projectorChild, 'projectors running');
    }
    const { runtime } = pipeline;
    const projection = pipeline.config.projections[0]!;
    const projectorName = projectorNameOf(projection);
    const domain = pipeline.config.domains[0]!;
    const admin = createKafka(runtime.settings, `${pipeline.config.app}.bench`).admin();
    await admin.connect();
    // Set before the warm-up: what the clock measures is stamped with the broker's append time.
    if (timed) await useLogAppendTime(admin, [commandTopicOf(domain), eventTopicOf(domain)]);
    const projected = () =>
      until === 'projection'
        ? committedCount(admin, projectionGroupOf(pipeline.config.app, projection, runtime.readDatabase), eventTopicOf(domain))
        : committedCount(admin, aggregateGroupOf(pipeline.config.app), commandTopicOf(domain));

    const senders = await Promise.all(Array.from({ length: senderCount }, async () => ({ sender: await createCommandSender(runtime), pending: 0 })));
    const sender = senders[0]!.sender;
    const counters = Array.from({ length: aggregates }, () => randomUUID());
    const inputsFor = (n: number) => Array.from({ length: n }, (_, i) => incrementOf(counters[i % counters.length] as string));
    // Warm up: group joined, caches and connections made, before the clock starts.
    const warmUp = Math.min(counters.length, 1000);
    await sender.sendMany(inputsFor(warmUp));
    while ((await projected()) < warmUp) await sleep(50);
    if (pacedWarmUp) {
      const total = pacedWarmUp.rate * pacedWarmUp.seconds;
      await sendAtRate(pacedWarmUp.rate, total, (i) => senders[i % senders.length]!.sender.send(incrementOf(randomUUID())));
      while ((await projected()) < warmUp + total) await sleep(50);
    }
    const baseline = await projected();
    const logStarts = workerChildren.map((child) => child.output().length);
    const projectorLogStart = children[workers]?.output().length ?? 0;
    const timeline = timed ? new Timeline() : undefined;

    let peakRssMb = 0;
    const rssSampler = setInterval(() => {
      for (const child of workerChildren) peakRssMb = Math.max(peakRssMb, rssMbOf(child.process.pid));
    }, 250);
    const cpuParts = { workers: workerChildren.map((c) => c.process.pid), projector: children[workers]?.process.pid, stateDir: readStackSettings().stateDir };
    const cpuBefore = sampleCpu(cpuParts);
    const writesBefore = sampleWrites(cpuParts);
    const walAt = async () => (await runtime.pool.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0]!.lsn;
    const walBefore = await walAt();
    const fromUs = monotonicUs();
    const sent = await send(inputsFor, async (inputs) => {
      const sentAt = epochNow();
      const least = senders.reduce((a, b) => (b.pending < a.pending ? b : a));
      least.pending += 1;
      const commands = await least.sender.sendMany(inputs).finally(() => (least.pending -= 1));
      timeline?.sent(commands.map((c) => c.commandUuid), sentAt);
    });
    while ((await projected()) < baseline + sent) await sleep(20);
    const window = { fromUs, toUs: monotonicUs() };
    const seconds = (window.toUs - window.fromUs) / 1e6;
    const cpu = { ...cpuPerCommand(cpuBefore, sampleCpu(cpuParts), sent, seconds), ...writesPerCommand(writesBefore, sampleWrites(cpuParts), sent) };
    // Write-ahead log per command: the bandwidth a bigger Postgres must sustain (docs/scaling.md).
    const { rows: wal } = await runtime.pool.query<{ bytes: string }>('select pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::text as bytes', [await walAt(), walBefore]);
    cpu['wal bytes'] = Number(wal[0]!.bytes) / sent;
    clearInterval(rssSampler);
    await Promise.all(senders.map((s) => s.sender.close()));
    await admin.disconnect();

    // Postgres stamps each row with its transaction's start: the worker's and the projector's.
    const { rows } = await runtime.pool.query<{ ms: number; toWorkerMs: number }>(
      `select extract(epoch from (pe.projected_at - (pc.metadata->>'issuedAt')::timestamptz)) * 1000 as ms,
              extract(epoch from (pc.received_at - (pc.metadata->>'issuedAt')::timestamptz)) * 1000 as "toWorkerMs"
       from processed_commands pc
       join events e on e.caused_by_command_uuid = pc.command_uuid
       join projected_events pe on pe.event_uuid = e.event_uuid and pe.projector = $1
       order by pc.received_at desc limit $2`,
      [projectorName, sent],
    );
    const latencies = rows.map((r) => Number(r.ms));
    const toWorker = rows.map((r) => Number(r.toWorkerMs));
    const chunkTimes = { chunks: 0, transactionMs: 0, produceMs: 0 };
    const chunkLines = workerChildren.flatMap((child, i) => child.output().slice(logStarts[i]).split('\n'));
    for (const line of chunkLines) {
      if (!line.includes('"chunk handled"')) continue;
      const entry = JSON.parse(line) as { transactionMs: number; produceMs: number };
      chunkTimes.chunks += 1;
      chunkTimes.transactionMs += entry.transactionMs;
      chunkTimes.produceMs += entry.produceMs;
    }
    if (timeline) {
      workerChildren.forEach((child, i) => timeline.read('worker', child.output().slice(logStarts[i])));
      timeline.read('projector', children[workers]?.output().slice(projectorLogStart) ?? '');
    }
    return {
      timeline: timeline?.measures(),
      commands: sent,
      seconds,
      commandsPerSecond: sent / seconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      p50ToWorkerMs: percentile(toWorker, 50),
      worker: chunkTimes,
      cpu,
      workerPeakRssMb: peakRssMb,
      window,
    };
  } finally {
    for (const child of children) child.process.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    await pipeline.cleanup();
  }
}
