import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { commandTopicOf, eventTopicOf } from '../../src/core/index.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { projectionGroupOf } from '../../src/projection/names.ts';
import { aggregateGroupOf } from '../../src/worker/aggregateWorker.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { watchCheckpoints } from './checkpoints.ts';
import { Fleet } from './fleet.ts';
import { collectHistory, type History } from './history.ts';
import { checkInvariants, describeViolations, topicOrderInversions, type Expectations, type Verdict } from './invariants.ts';
import { planLoad, runLoad, type LoadOptions, type LoadResult } from './load.ts';
import { rawKafka } from '../support/rawKafka.ts';

/** The session timeout every fault run gives its processes: the broker's minimum, so a dead member is noticed in seconds. */
export const SESSION_TIMEOUT_MS = 6_000;
/**
 * The liveness bound (I6): once the fault has healed (the last process restarted, the server back),
 * every group's lag is zero within this long. Budget: a dead member's session expiring (6 s), a
 * rebalance, a process start (~3 s on two busy cores) and the backlog of a few thousand commands.
 */
export const LIVENESS_BOUND_MS = 60_000;

export const faultConfigFile = path.join(projectRoot, 'test/faults/fixture/streamfold.config.ts');

export interface ScenarioContext {
  readonly pipeline: IsolatedPipeline;
  readonly fleet: Fleet;
  /** Resolves when the load has been sent and acknowledged. */
  readonly loadDone: Promise<LoadResult>;
  /** Counts a fault the scenario injected itself (hook kills are counted from the fleet). */
  injected(what: string, count?: number): void;
  /** Poison the scenario produced, per dead-letter topic, so I6 can expect exactly that. */
  expectDeadLetters(topic: string, count: number): void;
  readonly commandTopic: string;
  readonly eventTopic: string;
}

export interface ScenarioOptions {
  readonly label: string;
  readonly partitions?: number;
  readonly workers?: number;
  readonly projectors?: number;
  readonly workerEnv?: (slot: number, incarnation: number) => NodeJS.ProcessEnv;
  readonly projectorEnv?: (slot: number, incarnation: number) => NodeJS.ProcessEnv;
  readonly load: LoadOptions;
  /** Runs beside the load; resolves once the fault has healed (what it broke is back). */
  readonly inject?: (ctx: ScenarioContext) => Promise<void>;
  /** Runs after the heal, before waiting for quiescence (e.g. an operator skipping a poison event). */
  readonly afterHeal?: (ctx: ScenarioContext) => Promise<void>;
  readonly expectations?: Expectations;
  readonly livenessBoundMs?: number;
  /** Makes the isolated pipeline (topics, groups, database); isolatedPipeline with 4 partitions by default. */
  readonly pipeline?: (label: string) => Promise<IsolatedPipeline>;
  /** Sends the whole load before any process starts, so the processes start with a full backlog. */
  readonly startAfterLoad?: boolean;
  /** The stall watchdog's exit on unanswered fetches is a recovery this fault may need (Fleet), counted, not a crash. */
  readonly stallExitsExpected?: boolean;
}

export interface ScenarioReport {
  readonly label: string;
  readonly verdicts: Verdict[];
  readonly numbers: Record<string, number | string>;
  readonly fleetEvents: { slot: string; what: string; at: number; detail?: string }[];
}

const resultsDir = path.join(projectRoot, '.streamfold/faults-results');

/**
 * kafkajs logs "Crash: …" when a consumer dies and "Restarting the consumer" when it will come back;
 * a crash without a restart leaves a process that runs but consumes nothing.
 */
function deadConsumers(fleet: Fleet): string[] {
  const dead: string[] = [];
  for (const [slot, output] of fleet.outputsBySlot()) {
    output.split('\n----- next incarnation -----\n').forEach((life, i) => {
      const crashes = life.match(/\[Consumer\] Crash: [^"]*/g) ?? [];
      const restarts = life.match(/Restarting the consumer/g)?.length ?? 0;
      if (crashes.length > restarts) dead.push(`${slot} (life ${i + 1}): its consumer crashed for good and the process lived on: ${crashes.at(-1)}`);
    });
  }
  return dead;
}

/** Commands the workers found processed before, summed from their debug lines per chunk (`outcomes`). */
const duplicatesIn = (outputs: string[]) =>
  outputs.reduce((n, out) => n + [...out.matchAll(/"outcomes":\{[^}]*"duplicate":(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0), 0);

/**
 * One fault run: an isolated pipeline (own topics, groups, database) with workers and projectors as
 * child processes, a load of commands with known outcomes, a fault injected beside it, then
 * quiescence within the liveness bound and every invariant checked over the complete history.
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const shortLabel = options.label.replace(/[^a-z0-9]/gi, '').slice(0, 12).toLowerCase();
  const pipeline = options.pipeline
    ? await options.pipeline(shortLabel)
    : await isolatedPipeline(shortLabel, { configFile: faultConfigFile, partitions: options.partitions ?? 4 });
  const { runtime, config } = pipeline;
  const domain = config.domains[0]!;
  const projection = config.projections[0]!;
  const fleet = new Fleet({ ...pipeline.childEnv, STREAMFOLD_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS), STREAMFOLD_LOG_LEVEL: 'info' }, options.stallExitsExpected);
  const injected = new Map<string, number>();
  const expectedDeadLetters: Record<string, number> = {};
  const bound = options.livenessBoundMs ?? LIVENESS_BOUND_MS;
  const withProjection = (options.projectors ?? 1) > 0;
  const groups = [
    { group: aggregateGroupOf(config.app), topics: [commandTopicOf(domain)] },
    ...(withProjection ? [{ group: projectionGroupOf(config.app, projection), topics: [eventTopicOf(domain)] }] : []),
  ];
  const checkpoints = watchCheckpoints(rawKafka(runtime), groups);
  let keep = process.env.STREAMFOLD_FAULTS_KEEP === '1';
  try {
    const plan = planLoad(options.load);
    const earlyLoad = options.startAfterLoad ? await runLoad(runtime, plan, options.load) : undefined;
    const starts: Promise<void>[] = [];
    for (let i = 1; i <= (options.workers ?? 2); i++) {
      starts.push(fleet.start({ name: `worker-${i}`, args: ['worker'], ready: 'worker running', env: (n) => ({ STREAMFOLD_LOG_LEVEL: 'debug', ...options.workerEnv?.(i, n) }) }));
    }
    for (let i = 1; i <= (options.projectors ?? 1); i++) {
      starts.push(fleet.start({ name: `projector-${i}`, args: ['project'], ready: 'projectors running', env: (n) => options.projectorEnv?.(i, n) ?? {} }));
    }
    await Promise.all(starts);

    const loadDone = earlyLoad ? Promise.resolve(earlyLoad) : runLoad(runtime, plan, options.load);
    const ctx: ScenarioContext = {
      pipeline,
      fleet,
      loadDone,
      injected: (what, count = 1) => injected.set(what, (injected.get(what) ?? 0) + count),
      expectDeadLetters: (topic, count) => (expectedDeadLetters[topic] = (expectedDeadLetters[topic] ?? 0) + count),
      commandTopic: commandTopicOf(domain),
      eventTopic: eventTopicOf(domain),
    };
    const [load] = await Promise.all([loadDone, options.inject?.(ctx)]);
    await options.afterHeal?.(ctx);
    const healedAt = Math.max(load.endedAt, fleet.lastEventAt());
    let recoveredInMs: number | undefined;
    try {
      await waitForQuiescence(runtime, bound + (Date.now() - healedAt) + 5_000, groups.map((g) => g.group));
      recoveredInMs = Date.now() - healedAt;
    } catch {
      recoveredInMs = undefined;
    }
    await checkpoints.stop();
    await fleet.stop();

    const history: History = await collectHistory(pipeline, load, expectedDeadLetters);
    const verdicts = checkInvariants(
      history,
      { recoveredInMs, boundMs: bound, checkpointRegressions: checkpoints.regressions, deadConsumers: deadConsumers(fleet), unexpectedExits: fleet.unexpectedExits() },
      { projection: withProjection, ...options.expectations },
    );
    const report = summarize(options.label, history, fleet, injected, recoveredInMs, verdicts);
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(path.join(resultsDir, `${options.label}.json`), JSON.stringify(report, null, 2));
    console.log(`[faults] ${options.label}: ${JSON.stringify(report.numbers)}`);
    const logs = path.join(resultsDir, options.label);
    fs.mkdirSync(logs, { recursive: true });
    for (const [slot, output] of fleet.outputsBySlot()) fs.writeFileSync(path.join(logs, `${slot}.log`), output);
    if (verdicts.some((v) => !v.ok)) {
      keep = keep || process.env.STREAMFOLD_FAULTS_KEEP_FAILED === '1';
      const crashes = fleet.events.filter((e) => e.what === 'crashed').map((e) => `${e.slot}: ${e.detail}`);
      expect.fail(`${options.label} broke invariants:\n${describeViolations(verdicts)}${crashes.length ? `\ncrashes:\n${crashes.join('\n')}` : ''}`);
    }
    return report;
  } finally {
    await checkpoints.stop();
    await fleet.stop();
    if (keep) console.log(`[faults] ${options.label}: kept database and topics of suffix ${pipeline.suffix}`);
    else await pipeline.cleanup();
  }
}

function summarize(
  label: string,
  h: History,
  fleet: Fleet,
  injected: Map<string, number>,
  recoveredInMs: number | undefined,
  verdicts: Verdict[],
): ScenarioReport {
  const uniqueOnTopic = new Set(h.eventTopic.map((m) => m.headers['event-uuid'])).size;
  const deliberateResends = h.load.planned.filter((c) => c.resend).length;
  const workerDuplicates = duplicatesIn(fleet.outputs('worker'));
  const outputs = fleet.outputs();
  const numbers: Record<string, number | string> = {
    commandsSent: h.load.planned.length,
    commandsAcknowledged: h.load.acknowledged.size,
    failedSendsRetried: h.load.failedSends,
    // Sends kafkajs resolved without answers for some partitions, completed by sendCompletely.
    commandSendsCompleted: h.load.unansweredResends,
    eventSendsCompleted: outputs.reduce((n, out) => n + (out.match(/events sent again: Kafka left partitions unanswered/g)?.length ?? 0), 0),
    hookKills: fleet.count('hook-kill'),
    harnessKills: fleet.count('harness-kill'),
    pauses: fleet.count('paused'),
    crashes: fleet.count('crashed'),
    stallExits: fleet.count('stall-exit'),
    stopTimeouts: fleet.count('stop-timeout'),
    ...Object.fromEntries([...injected].map(([what, n]) => [what, n])),
    events: h.events.length,
    eventCopiesOnTopic: h.eventTopic.length,
    duplicateEventCopiesAbsorbed: h.eventTopic.length - uniqueOnTopic,
    topicOrderInversions: topicOrderInversions(h),
    deliberateResends,
    commandDuplicatesAbsorbed: workerDuplicates,
    // Lost group memberships (a frozen or evicted member) and consumer restarts, from kafkajs's own logs.
    memberEvictions: outputs.reduce((n, out) => n + (out.match(/The coordinator is not aware of this member/g)?.length ?? 0), 0),
    consumerRestarts: outputs.reduce((n, out) => n + (out.match(/Restarting the consumer/g)?.length ?? 0), 0),
    // Chunks whose handler threw (a lost connection, a transient registry error) and were retried by kafkajs.
    handlerErrors: outputs.reduce((n, out) => n + (out.match(/Error when calling eachBatch/g)?.length ?? 0), 0),
    // The worker's own line when a chunk lost a race with another writer and was redone command by command.
    chunkConflicts: outputs.reduce((n, out) => n + (out.match(/chunk conflicted with a concurrent writer/g)?.length ?? 0), 0),
    deadLettered: Object.values(h.deadLetters).reduce((a, b) => a + b.distinct, 0),
    deadLetterCopies: Object.values(h.deadLetters).reduce((a, b) => a + b.messages - b.distinct, 0),
    projectionFailures: h.failures.length,
    recoveredInMs: recoveredInMs ?? 'never',
    loadSeconds: Math.round((h.load.endedAt - h.load.startedAt) / 100) / 10,
    verdict: verdicts.every((v) => v.ok) ? 'pass' : `FAIL ${verdicts.filter((v) => !v.ok).map((v) => v.invariant).join(',')}`,
  };
  return { label, verdicts, numbers, fleetEvents: fleet.events.map((e) => ({ ...e })) };
}
