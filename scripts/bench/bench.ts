// `npm run bench [scenario…]`: measured runs on the real stack, appended to docs/benchmarks.md.
// Baselines and peers run inside the same invocation as what they are compared with.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readStackSettings } from '../../src/stack/settings.ts';
import { stackDown, stackUp } from '../../src/stack/stack.ts';
import { projectRoot } from '../../test/support/isolatedPipeline.ts';
import { aggregateLoad } from './aggregateLoad.ts';
import { cliTimings, installedApp, type InstalledApp } from './cliStartup.ts';
import { gatewayBench, gatewayRequestRates, type Checkout, type GatewayBench } from './gatewayLoad.ts';
import { profileShares } from './cpuProfile.ts';
import type { CommandInput } from '../../src/client/commandSender.ts';
import type { IsolatedPipeline } from '../../test/support/isolatedPipeline.ts';
import { kafkajsAlone, kafkajsHopLatency, postgresAlone } from './baselines.ts';
import { platformaticAlone, platformaticHopLatency } from './platformatic.ts';
import { loadedPipeline, replayRate, type ReplayMeasure } from './replayRun.ts';
import { preparedStatementCosts } from './preparedStatements.ts';
import { peerComparison } from './peer.ts';
import { pipelineRun, type RunOptions, type RunResult } from './pipelineRun.ts';
import { loopbackFloor } from './loopbackFloor.ts';
import { sendAtRate } from './pacing.ts';
import { median, round } from './stats.ts';
import { fetchRows, segments } from './timeline.ts';

// The defaults are the performance issue's sizes; smaller ones make a quick look.
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 100_000);
const COUNTERS = Number(process.env.BENCH_COUNTERS ?? 10_000);
const STEADY_RATE = Number(process.env.BENCH_RATE ?? 1000);
const STEADY_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const STEADY_SENDERS = Number(process.env.BENCH_SENDERS ?? 8);
const WARM_UP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const STREAM_EVENTS = Number(process.env.BENCH_STREAM_EVENTS ?? 10_000);
const MEMORY_AGGREGATES = Number(process.env.BENCH_AGGREGATES ?? 1_000_000);
const CACHE_CAP = Number(process.env.BENCH_CACHE_CAP ?? 10_000);
const REPLAY_EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 1_000_000);
const SCALE_OUT = [1, 2, 4] as const;
const CLI_TIMES = Number(process.env.BENCH_CLI_TIMES ?? 7);
const PREPARED_CALLS = Number(process.env.BENCH_PREPARED_CALLS ?? 2000);
const GATEWAY_CONNECTIONS = Number(process.env.BENCH_GATEWAY_CONNECTIONS ?? 50);
const GATEWAY_SECONDS = Number(process.env.BENCH_GATEWAY_SECONDS ?? 10);
// Another checkout to measure beside this one, e.g. `git worktree add /tmp/gw-before <commit>` and `npm ci` there.
const GATEWAY_BEFORE = process.env.BENCH_GATEWAY_BEFORE;
const gatewayCheckouts: Checkout[] = [
  ...(GATEWAY_BEFORE ? [{ label: `before (${execSync('git rev-parse --short HEAD', { cwd: GATEWAY_BEFORE }).toString().trim()})`, root: GATEWAY_BEFORE }] : []),
  { label: `now (${execSync('git rev-parse --short HEAD', { cwd: projectRoot }).toString().trim()})`, root: projectRoot },
];
const gatewayRoutes = [
  ['health', 'GET /health'],
  ['stream', 'GET /streams/:uuid (20 events)'],
  ['commands', 'POST /commands'],
] as const;

type Measures = Record<string, number>;

interface Scenario {
  readonly title: string;
  readonly describe: string;
  readonly columns: readonly (readonly [key: string, label: string])[];
  readonly run: () => Promise<Measures>;
  /** A second table, one row per segment: `<label> p50` and `<label> p99` of the measures. */
  readonly segments?: readonly string[];
  /** Cleans up what the runs shared, after the last one. */
  readonly finish?: () => Promise<void>;
}

const pipelineMeasures = (r: RunResult): Measures => ({
  commandsPerSecond: r.commandsPerSecond,
  p50Ms: r.p50Ms,
  p99Ms: r.p99Ms,
  p50ToWorkerMs: r.p50ToWorkerMs,
  transactionUs: (r.worker.transactionMs / r.commands) * 1000,
  produceUs: (r.worker.produceMs / r.commands) * 1000,
});
const pipelineColumns = [
  ['commandsPerSecond', 'commands/s'],
  ['p50Ms', 'p50 send→projection ms'],
  ['p99Ms', 'p99 send→projection ms'],
  ['p50ToWorkerMs', 'p50 send→worker ms'],
  ['transactionUs', 'worker: Postgres transaction µs/command'],
  ['produceUs', 'worker: produce µs/command'],
] as const;

/** The processes whose CPU the `loops` scenario reports per loop. */
const loopCpuParts = ['worker', 'projector', 'broker', 'postgres', 'sender', 'total'] as const;

/** Each process's CPU per command during the steady runs of two configurations, side by side: `steady, <config>: <process> CPU µs/command`. */
const cpuColumns = (configs: readonly [string, string]) =>
  loopCpuParts.flatMap((part) => configs.map((config) => [`${config} ${part}`, `steady, ${config}: ${part} CPU µs/command`] as const));

const clientMeasureLabels = { P50: 'p50 send→projection ms', P99: 'p99 send→projection ms', ToWorker: 'p50 send→worker ms' } as const;

const LINGER_MS = Number(process.env.BENCH_LINGER_MS ?? 5);
const lingerLabels = {
  sequential: 'sequential',
  sequentialLinger: `sequential, fetch held ${LINGER_MS} ms`,
  pipelined: 'pipelined',
  pipelinedLinger: `pipelined, fetch held ${LINGER_MS} ms`,
};

/** Before a steady run's clock starts: the same rate for a while, so that what is measured is a steady state, not a cold start. */
const steadyWarmUp = WARM_UP_SECONDS > 0 ? { rate: STEADY_RATE, seconds: WARM_UP_SECONDS } : undefined;

/** The steady scenario's load: each command sent on its own slot at STEADY_RATE, concurrently, through several producers. */
const steadyRun = (env: NodeJS.ProcessEnv = {}, options: RunOptions = {}) =>
  pipelineRun(
    async (inputsFor, sendMany) => {
      const total = STEADY_RATE * STEADY_SECONDS;
      const inputs = inputsFor(total);
      await sendAtRate(STEADY_RATE, total, (i) => sendMany([inputs[i]!]));
      return total;
    },
    { aggregates: COUNTERS, timeline: true, senders: STEADY_SENDERS, env, pacedWarmUp: steadyWarmUp, ...options },
  );

/** Sends `count` commands in batches of 1,000, as fast as the producer takes them. */
const inBatches = (count: number) => async (inputsFor: (n: number) => CommandInput[], sendMany: (inputs: CommandInput[]) => Promise<void>) => {
  const inputs = inputsFor(count);
  for (let i = 0; i < inputs.length; i += 1000) await sendMany(inputs.slice(i, i + 1000));
  return inputs.length;
};
const sendAll = (count: number, options: RunOptions = {}) => pipelineRun(inBatches(count), { aggregates: COUNTERS, ...options });

/** The Postgres commit settings the `commit` scenario compares; `options` is a libpq PGOPTIONS string. */
const commitSettings = {
  sync: { label: 'the defaults', options: undefined },
  async: { label: '`synchronous_commit=off`', options: '-c synchronous_commit=off' },
  delay: { label: '`commit_delay=1000` (`commit_siblings=1`)', options: '-c commit_delay=1000 -c commit_siblings=1' },
} as const;

/** Where a profiled process's busy time goes (cpuProfile.ts), in the order the report lists them. */
const profileCategories = [
  'socket writes (system calls)',
  'kafkajs (Kafka client)',
  'pg (Postgres client)',
  'avsc (Avro)',
  'pino (logging)',
  'other libraries',
  'streamfold',
  'Node.js runtime',
  'garbage collection',
] as const;

const profileColumns = (['worker', 'projector'] as const).flatMap((part) => [
  [`${part} busy`, `${part}: busy % of a core`] as const,
  ...profileCategories.map((category) => [`${part} ${category}`, `${part}: ${category} % of busy`] as const),
]);

/** A process's busy share of its sampled time, and each category as a share of the busy part. */
function busyShares(part: string, shares: Record<string, number>): Measures {
  const busy = 100 - (shares['idle (waiting on I/O)'] ?? 0);
  return {
    [`${part} busy`]: busy,
    ...Object.fromEntries(profileCategories.map((category) => [`${part} ${category}`, (100 * (shares[category] ?? 0)) / busy])),
  };
}

/**
 * Runs a load with the worker and the projector under `node --cpu-prof` (the worker at log level
 * info: no chunk lines), and reads their profiles over the measured stretch only.
 */
async function profiled(load: (options: RunOptions) => Promise<RunResult>): Promise<{ result: RunResult; shares: Measures }> {
  const workerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-profile-worker-'));
  const projectorDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-profile-projector-'));
  const result = await load({
    worker: { env: { STREAMFOLD_LOG_LEVEL: 'info' }, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${workerDir}`] },
    projector: { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${projectorDir}`] },
  });
  const shares = { ...busyShares('worker', profileShares(workerDir, result.window)), ...busyShares('projector', profileShares(projectorDir, result.window)) };
  return { result, shares };
}

let replayPipeline: Promise<IsolatedPipeline> | undefined;
let cliApp: Promise<InstalledApp> | undefined;
let gatewayPipeline: Promise<GatewayBench> | undefined;
let replayVersion = 1;
/** The replay scenarios' pipeline, its events put in the topics and the event log once. */
const loadedReplayPipeline = () => (replayPipeline ??= loadedPipeline(REPLAY_EVENTS));

/** The CPU per event of a replay from the topics (replayRun.ts), as columns labelled `prefix` + what. */
const replayCpuColumns = (prefix: string) =>
  [
    ['replay µs', `${prefix}replay process CPU µs/event`],
    ['broker µs', `${prefix}broker CPU µs/event`],
    ['postgres µs', `${prefix}Postgres CPU µs/event`],
    ['total µs', `${prefix}total CPU µs/event`],
  ] as const;

const replayCpuMeasures = ({ cpu }: ReplayMeasure): Measures =>
  cpu ? { 'replay µs': cpu.replay, 'broker µs': cpu.broker, 'postgres µs': cpu.postgres, 'total µs': cpu.total, 'cores busy %': cpu.coresBusy } : {};

/** Drops the replay scenarios' loaded pipeline; the next scenario that needs it loads it again. */
async function cleanupReplayPipeline(): Promise<void> {
  const loaded = replayPipeline;
  replayPipeline = undefined;
  if (loaded) await (await loaded).cleanup();
}

/** Two steady runs side by side, labelled: each one's p50, p99, CPU per command and the cores' share, measure by measure. */
function steadyPair(labels: readonly [string, string]) {
  const measures = [
    ['P50', 'p50 send→projection ms', (r: RunResult) => r.p50Ms],
    ['P99', 'p99 ms', (r: RunResult) => r.p99Ms],
    ['Cpu', 'CPU µs/command', (r: RunResult) => r.cpu['cpu total µs'] as number],
    ['Busy', 'cores busy %', (r: RunResult) => r.cpu['cores busy %'] as number],
  ] as const;
  return {
    columns: measures.flatMap(([key, label]) => labels.map((name, i) => [`${i}${key}`, `${name} ${label}`] as const)),
    measured: (runs: readonly [RunResult, RunResult]): Measures => Object.fromEntries(measures.flatMap(([key, , of]) => runs.map((r, i) => [`${i}${key}`, of(r)]))),
  };
}
const coldAndWarm = steadyPair(['cold', 'warm']);
const withAndWithoutTimeline = steadyPair(['with the timeline', 'without the timeline']);

const scenarios: Record<string, Scenario> = {
  throughput: {
    title: 'End-to-end throughput',
    describe: `${COMMANDS} commands over ${COUNTERS} aggregates, one event each, one projection; worker and projector in child processes; sent in batches of 1,000 as fast as the producer takes them; timed from the first send to the last projection row`,
    columns: pipelineColumns,
    run: async () => pipelineMeasures(await sendAll(COMMANDS)),
  },
  tuning: {
    title: 'What each setting buys',
    describe: `${COMMANDS} commands end to end as in \`throughput\`, with the defaults, then with one setting turned back: \`STREAMFOLD_PARTITIONS_CONCURRENTLY=1\` (one partition at a time in the worker and the projector), and the projection applied event by event (no \`applyAll\`: test/fixtures/counter/eventByEvent.config.ts)`,
    columns: [
      ['defaults', 'defaults commands/s'],
      ['onePartition', 'one partition at a time commands/s'],
      ['eventByEvent', 'projection event by event commands/s'],
    ],
    run: async () => ({
      defaults: (await sendAll(COMMANDS)).commandsPerSecond,
      onePartition: (await sendAll(COMMANDS, { env: { STREAMFOLD_PARTITIONS_CONCURRENTLY: '1' } })).commandsPerSecond,
      eventByEvent: (await sendAll(COMMANDS, { configFile: path.join(projectRoot, 'test/fixtures/counter/eventByEvent.config.ts') })).commandsPerSecond,
    }),
  },
  cost: {
    title: 'What a command costs, and who pays',
    describe: `${COMMANDS} commands end to end as in \`throughput\`; CPU time (user + system, from /proc) each process spent during the run, per command: the load generator (sending, Avro-encoding), the worker, the projector, the Kafka broker, the registry and every Postgres backend; the share of the two cores in use; and the write-ahead log Postgres wrote per command`,
    columns: [...['sender', 'worker', 'projector', 'broker', 'registry', 'postgres', 'total'].map((part) => [`cpu ${part} µs`, `${part} CPU µs/command`] as const), ['cores busy %', 'cores busy %'], ['wal bytes', 'Postgres WAL bytes/command']],
    run: async () => (await sendAll(COMMANDS)).cpu,
  },
  steady: {
    title: 'Latency at a steady rate',
    describe: `${STEADY_RATE} commands/s for ${STEADY_SECONDS} s over ${COUNTERS} aggregates, after ${WARM_UP_SECONDS} s at the same rate before the clock starts (to aggregates of their own; \`warmup\` shows what it changes), one command per send, each sent on its slot without waiting for the sends before it, through ${STEADY_SENDERS} producers (the least busy takes each send: one idempotent producer has one request in flight), send → projection row; beside it, the floor: kafkajs alone carrying one message per send at the same rate over one hop (produce → a group's eachBatch, 6 partitions, no offset commits), where a command crosses two. The timeline follows each command hop by hop: the command and event topics stamp records with \`LogAppendTime\`, and the worker and projector (STREAMFOLD_CHUNK_TIMINGS=1) log per chunk when the fetch that brought it was answered, when it was handed over decoded, committed and (worker) its events acknowledged, matched by command uuid; latency counts from each command's own send call`,
    columns: [
      ['heldRate', 'generator held commands/s'],
      ...pipelineColumns.filter(([key]) => key !== 'commandsPerSecond'),
      ['hopP50Ms', 'kafkajs alone, one hop p50 ms'],
      ['hopP99Ms', 'kafkajs alone, one hop p99 ms'],
      ['timedShare', 'commands timed end to end %'],
    ],
    segments: [...segments.map(([label]) => label), ...fetchRows],
    run: async () => {
      const result = await steadyRun();
      const hop = await kafkajsHopLatency(STEADY_RATE, STEADY_SECONDS);
      return { ...pipelineMeasures(result), ...result.timeline, hopP50Ms: hop.p50Ms, hopP99Ms: hop.p99Ms };
    },
  },
  floor: {
    title: 'What a message costs here, and how many a command makes',
    describe: `first this machine's cost of one message between two processes: Node to Node over loopback TCP, one message of 300 bytes in flight at a time, 20,000 round trips (median of 3 stretches); then the \`steady\` load (${STEADY_RATE} commands/s for ${STEADY_SECONDS} s) without the timeline and with the worker logging at \`info\` (no line per chunk), counting the write system calls of the worker, the projector and the load generator (/proc/<pid>/io): each is a Kafka request or a Postgres statement, answered by one message, so twice their sum is the messages a command makes; times the CPU a message costs (half a round trip's), that is the CPU a command cannot cost less than with this many messages, beside what all processes spent`,
    columns: [
      ['roundTripUs', 'loopback round trip µs'],
      ['cpuPerRoundTripUs', 'loopback CPU µs per round trip (both processes)'],
      ['writes sender', 'load generator writes/command'],
      ['writes worker', 'worker writes/command'],
      ['writes projector', 'projector writes/command'],
      ['messages', 'messages/command'],
      ['messagesCpuUs', 'messages × CPU per message µs/command'],
      ...(['sender', 'worker', 'projector', 'broker', 'postgres'] as const).map((part) => [`cpu ${part} µs`, `${part} CPU µs/command`] as const),
      ['cpu total µs', 'CPU µs/command, all processes'],
      ['messagesShare', 'messages\' share of the CPU %'],
      ['cores busy %', 'cores busy %'],
      ['p50Ms', 'p50 send→projection ms'],
    ],
    run: async () => {
      const floor = await loopbackFloor();
      const result = await steadyRun({}, { timeline: false, worker: { env: { STREAMFOLD_LOG_LEVEL: 'info' } } });
      const messagesCpuUs = (result.cpu.messages as number) * (floor.cpuPerRoundTripUs / 2);
      return { ...floor, ...result.cpu, p50Ms: result.p50Ms, messagesCpuUs, messagesShare: (100 * messagesCpuUs) / (result.cpu['cpu total µs'] as number) };
    },
  },
  warmup: {
    title: 'Steady, cold and warm',
    describe: `the \`steady\` scenario (${STEADY_RATE} commands/s for ${STEADY_SECONDS} s) as it starts after the bulk warm-up alone (1,000 commands in one send, so the worker and the projector have handled a few chunks when the clock starts), then with ${WARM_UP_SECONDS} s at the same rate before the clock starts (its commands to aggregates of their own), in the same run; send → projection and the CPU all processes spent per command`,
    columns: coldAndWarm.columns,
    run: async () =>
      coldAndWarm.measured([
        await steadyRun({}, { timeline: false, pacedWarmUp: undefined }),
        await steadyRun({}, { timeline: false, pacedWarmUp: { rate: STEADY_RATE, seconds: Math.max(WARM_UP_SECONDS, 1) } }),
      ]),
  },
  timeline: {
    title: 'What the timeline costs',
    describe: `the \`steady\` scenario (${STEADY_RATE} commands/s for ${STEADY_SECONDS} s, warm) with its timeline (the topics stamped with \`LogAppendTime\`, a debug line per chunk from the worker and the projector, read by the load generator's process) and without it (the worker logging at \`info\`), in the same run; send → projection and the CPU all processes spent per command`,
    columns: withAndWithoutTimeline.columns,
    run: async () => withAndWithoutTimeline.measured([await steadyRun(), await steadyRun({}, { timeline: false, worker: { env: { STREAMFOLD_LOG_LEVEL: 'info' } } })]),
  },
  loops: {
    title: 'The consume loop: pipelined against sequential',
    describe: `the \`steady\` scenario (${STEADY_RATE} commands/s for ${STEADY_SECONDS} s) and the \`throughput\` one (${COMMANDS} commands) run with each consume loop in turn, in the same run: \`STREAMFOLD_CONSUME_LOOP=sequential\` (kafkajs's runner: it fetches again once every batch of the last fetch is handled, and commits each chunk's offset before the next) (the default) as the baseline, then \`pipelined\` (the next fetch is out while per-partition lanes handle the last, offsets committed off the handler's path); and each process's CPU per command during the steady runs`,
    columns: [
      ['sequentialP50', 'sequential p50 send→projection ms'],
      ['pipelinedP50', 'pipelined p50 send→projection ms'],
      ['sequentialP99', 'sequential p99 ms'],
      ['pipelinedP99', 'pipelined p99 ms'],
      ['sequentialToWorker', 'sequential p50 send→worker ms'],
      ['pipelinedToWorker', 'pipelined p50 send→worker ms'],
      ['p50Ratio', 'p50 sequential ÷ pipelined'],
      ['sequentialRate', 'sequential throughput commands/s'],
      ['pipelinedRate', 'pipelined throughput commands/s'],
      ['rateRatio', 'throughput pipelined ÷ sequential'],
      ...cpuColumns(['sequential', 'pipelined']),
      ['sequentialBusy', 'steady, sequential: cores busy %'],
      ['pipelinedBusy', 'steady, pipelined: cores busy %'],
    ],
    run: async () => {
      const sequential = await steadyRun({ STREAMFOLD_CONSUME_LOOP: 'sequential' });
      const pipelined = await steadyRun({ STREAMFOLD_CONSUME_LOOP: 'pipelined' });
      const sequentialRate = (await sendAll(COMMANDS, { env: { STREAMFOLD_CONSUME_LOOP: 'sequential' } })).commandsPerSecond;
      const pipelinedRate = (await sendAll(COMMANDS, { env: { STREAMFOLD_CONSUME_LOOP: 'pipelined' } })).commandsPerSecond;
      return {
        sequentialP50: sequential.p50Ms,
        pipelinedP50: pipelined.p50Ms,
        sequentialP99: sequential.p99Ms,
        pipelinedP99: pipelined.p99Ms,
        sequentialToWorker: sequential.p50ToWorkerMs,
        pipelinedToWorker: pipelined.p50ToWorkerMs,
        p50Ratio: sequential.p50Ms / pipelined.p50Ms,
        sequentialRate,
        pipelinedRate,
        rateRatio: pipelinedRate / sequentialRate,
        ...Object.fromEntries(
          loopCpuParts.flatMap((part) => [
            [`sequential ${part}`, sequential.cpu[`cpu ${part} µs`] ?? Number.NaN],
            [`pipelined ${part}`, pipelined.cpu[`cpu ${part} µs`] ?? Number.NaN],
          ]),
        ),
        sequentialBusy: sequential.cpu['cores busy %'] ?? Number.NaN,
        pipelinedBusy: pipelined.cpu['cores busy %'] ?? Number.NaN,
      };
    },
  },
  linger: {
    title: 'Fewer, larger chunks: the broker holding a fetch for a few milliseconds',
    describe: `the \`steady\` scenario (${STEADY_RATE} commands/s for ${STEADY_SECONDS} s) with each consume loop, first with fetches answered at the first message (\`STREAMFOLD_FETCH_MIN_BYTES=1\`, the default), then with the broker holding each fetch until 64 KiB have arrived or ${LINGER_MS} ms have passed (\`STREAMFOLD_FETCH_MIN_BYTES=65536 STREAMFOLD_FETCH_MAX_WAIT_MS=${LINGER_MS}\`), in the same run; send → projection, and the CPU all processes spent per command`,
    columns: (['sequential', 'sequentialLinger', 'pipelined', 'pipelinedLinger'] as const).flatMap((config) => [
      [`${config} p50`, `${lingerLabels[config]} p50 ms`] as const,
      [`${config} p99`, `${lingerLabels[config]} p99 ms`] as const,
      [`${config} cpu`, `${lingerLabels[config]} CPU µs/command`] as const,
    ]),
    run: async () => {
      const measures: Measures = {};
      for (const loop of ['sequential', 'pipelined'] as const) {
        for (const linger of [false, true]) {
          const env = { STREAMFOLD_CONSUME_LOOP: loop, ...(linger ? { STREAMFOLD_FETCH_MIN_BYTES: '65536', STREAMFOLD_FETCH_MAX_WAIT_MS: String(LINGER_MS) } : {}) };
          const result = await steadyRun(env);
          const config = `${loop}${linger ? 'Linger' : ''}`;
          measures[`${config} p50`] = result.p50Ms;
          measures[`${config} p99`] = result.p99Ms;
          measures[`${config} cpu`] = result.cpu['cpu total µs'] ?? Number.NaN;
        }
      }
      return measures;
    },
  },
  replay: {
    title: 'Replay into a fresh projection version',
    describe: `${REPLAY_EVENTS} events (one per command, ${'10,000'} counters, 6 partitions) put in the topics and the event log once by a worker; each run is \`streamfold replay counters --version N\` of a new version in a child process, from the topics, then \`--source eventlog\` of another, then from the topics again with the command run twice at once (two processes in the version's consumer group, three partitions each); events/s from the first event applied to the last; from the topics, the CPU (user + system, from /proc) the replay process, the broker and every Postgres backend spent per event over the same stretch`,
    columns: [
      ['topics', 'from the topics events/s'],
      ['eventlog', 'from the event log events/s'],
      ['topicsTwoProcesses', 'from the topics, two processes events/s'],
      ...replayCpuColumns('topics: '),
      ['cores busy %', 'topics: cores busy %'],
    ],
    run: async () => {
      const pipeline = await loadedReplayPipeline();
      const topics = await replayRate(pipeline, REPLAY_EVENTS, ++replayVersion, 'topics');
      const eventlog = await replayRate(pipeline, REPLAY_EVENTS, ++replayVersion, 'eventlog');
      const twoProcesses = await replayRate(pipeline, REPLAY_EVENTS, ++replayVersion, 'topics', 2);
      return { topics: topics.eventsPerSecond, eventlog: eventlog.eventsPerSecond, topicsTwoProcesses: twoProcesses.eventsPerSecond, ...replayCpuMeasures(topics) };
    },
    finish: () => cleanupReplayPipeline(),
  },
  'replay-profile': {
    title: "Where a replay's time goes",
    describe: `a replay of ${REPLAY_EVENTS} events from the topics as in \`replay\`, the replay process under \`node --cpu-prof\` (its start-up included): its busy time by where the code lives (socket writes = the system calls that hand bytes to the kernel), beside the CPU per event of each process over the replay`,
    columns: [
      ['topics', 'from the topics events/s'],
      ['replay busy', 'replay: busy % of a core'],
      ...profileCategories.map((category) => [`replay ${category}`, `replay: ${category} % of busy`] as const),
      ...replayCpuColumns(''),
    ],
    run: async () => {
      const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-profile-replay-'));
      const replay = await replayRate(await loadedReplayPipeline(), REPLAY_EVENTS, ++replayVersion, 'topics', 1, {}, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
      return { topics: replay.eventsPerSecond, ...busyShares('replay', profileShares(profileDir)), ...replayCpuMeasures(replay) };
    },
    finish: () => cleanupReplayPipeline(),
  },
  scaleout: {
    title: 'Scale-out: worker processes in one group',
    describe: `${COMMANDS} commands over ${COUNTERS} aggregates through 1, 2 and 4 worker processes sharing the 6 partitions (the worker path alone: done when every command has its outcome); each worker's partitions handled ${'`STREAMFOLD_PARTITIONS_CONCURRENTLY`'} at once`,
    columns: SCALE_OUT.map((n) => [`workers${n}`, `${n} worker${n > 1 ? 's' : ''} commands/s`] as const),
    run: async () => {
      const measures: Measures = {};
      for (const workers of SCALE_OUT) measures[`workers${workers}`] = (await sendAll(COMMANDS, { until: 'outcomes', workers })).commandsPerSecond;
      return measures;
    },
  },
  load: {
    title: 'Aggregate load, cache cold',
    describe: `one aggregate with a stream of ${STREAM_EVENTS} events, loaded 50 times from Postgres (fold of snapshot + tail, snapshots every 100 events, vs. fold of the whole stream)`,
    columns: [
      ['snapshotP50', 'with snapshots p50 ms'],
      ['snapshotP99', 'with snapshots p99 ms'],
      ['fullP50', 'whole stream p50 ms'],
      ['fullP99', 'whole stream p99 ms'],
    ],
    run: () => aggregateLoad(STREAM_EVENTS, 50),
  },
  peer: {
    title: 'Against a peer: Emmett',
    describe: `${COMMANDS} commands over ${COUNTERS} aggregates, one event each: streamfold's worker path (send → Kafka → worker → Postgres log → event topic, until every outcome is recorded) vs. Emmett 0.42 (DeciderCommandHandler + PostgreSQL event store, no Kafka, 8 handlers at once on disjoint aggregates), same Postgres server`,
    columns: [
      ['streamfold', 'streamfold commands/s'],
      ['emmett', 'Emmett commands/s'],
      ['ratio', 'streamfold ÷ Emmett'],
    ],
    run: () => peerComparison(COMMANDS, COUNTERS, async () => (await sendAll(COMMANDS, { until: 'outcomes' })).commandsPerSecond),
  },
  profile: {
    title: 'Where the time goes',
    describe: `${COMMANDS} commands end to end with the worker and the projector under \`node --cpu-prof\`, only the samples of the measured stretch counted: each process's busy share of its sampled time, and its busy time by where the code lives (socket writes = the system calls that hand bytes to the kernel)`,
    columns: profileColumns,
    run: async () => (await profiled((options) => sendAll(COMMANDS, options))).shares,
  },
  commit: {
    title: 'What a cheaper Postgres commit would buy',
    describe: `the \`steady\` load (${STEADY_RATE} commands/s for ${STEADY_SECONDS} s, no timeline) three times in one run, the worker's and the projector's Postgres sessions set through \`PGOPTIONS\`: Postgres's defaults (\`synchronous_commit=on\`: a commit answers once its write-ahead log is flushed), then ${commitSettings.async.label}, then ${commitSettings.delay.label}; send → projection, the worker's write per command and Postgres's CPU per command`,
    columns: (Object.keys(commitSettings) as (keyof typeof commitSettings)[]).flatMap((key) => [
      [`${key} p50Ms`, `${commitSettings[key].label}: p50 ms`] as const,
      [`${key} p99Ms`, `${commitSettings[key].label}: p99 ms`] as const,
      [`${key} transactionUs`, `${commitSettings[key].label}: worker write µs/command`] as const,
      [`${key} postgresUs`, `${commitSettings[key].label}: Postgres CPU µs/command`] as const,
    ]),
    run: async () => {
      const measures: Measures = {};
      for (const [key, { options }] of Object.entries(commitSettings)) {
        const result = await steadyRun(options ? { PGOPTIONS: options } : {}, { timeline: false });
        const { p50Ms, p99Ms, transactionUs } = pipelineMeasures(result);
        Object.assign(measures, { [`${key} p50Ms`]: p50Ms, [`${key} p99Ms`]: p99Ms, [`${key} transactionUs`]: transactionUs, [`${key} postgresUs`]: result.cpu['cpu postgres µs'] });
      }
      return measures;
    },
  },
  'steady-profile': {
    title: 'Where the CPU goes at a steady rate',
    describe: `the \`steady\` load (${STEADY_RATE} commands/s for ${STEADY_SECONDS} s, no timeline) with the worker and the projector under \`node --cpu-prof\`, only the samples of the measured stretch counted: each process's busy share of a core, and its busy time by where the code lives (socket writes = the system calls that hand bytes to the kernel, which on loopback include the receiving side's network stack); beside them the CPU per command of the broker, Postgres and the load generator, from /proc`,
    columns: [
      ['p50Ms', 'p50 send→projection ms'],
      ...profileColumns,
      ...(['broker', 'postgres', 'sender', 'total'] as const).map((part) => [`cpu ${part} µs`, `${part} CPU µs/command`] as const),
      ['cores busy %', 'cores busy %'],
    ],
    run: async () => {
      const { result, shares } = await profiled((options) => steadyRun({}, { ...options, timeline: false }));
      return { p50Ms: result.p50Ms, ...shares, ...result.cpu };
    },
  },
  memory: {
    title: 'Worker memory with many aggregates touched',
    describe: `${MEMORY_AGGREGATES} aggregates touched once each through the worker path, state cache capped at ${CACHE_CAP} entries (STREAMFOLD_STATE_CACHE_SIZE); peak resident memory of the worker process`,
    columns: [
      ['commandsPerSecond', 'commands/s'],
      ['peakRssMb', 'worker peak RSS MiB'],
    ],
    run: async () => {
      const result = await sendAll(MEMORY_AGGREGATES, {
        until: 'outcomes',
        aggregates: MEMORY_AGGREGATES,
        worker: { env: { STREAMFOLD_STATE_CACHE_SIZE: String(CACHE_CAP) } },
      });
      return { commandsPerSecond: result.commandsPerSecond, peakRssMb: result.workerPeakRssMb };
    },
  },
  limits: {
    title: 'Against the limits',
    describe: `${COMMANDS} commands end to end, vs. (a) kafkajs alone moving ${COMMANDS} messages of a command's size produce → consume, vs. (b) Postgres alone taking the worker's rows (events and archived commands) in its chunks of 250`,
    columns: [
      ['endToEnd', 'end to end commands/s'],
      ['kafkajs', '(a) kafkajs alone msgs/s'],
      ['postgres', '(b) Postgres alone rows/s'],
      ['ratio', 'end to end ÷ slower of (a), (b)'],
    ],
    run: async () => {
      const endToEnd = (await sendAll(COMMANDS)).commandsPerSecond;
      const kafkajs = await kafkajsAlone(COMMANDS);
      const postgres = await postgresAlone(COMMANDS);
      return { endToEnd, kafkajs, postgres, ratio: endToEnd / Math.min(kafkajs, postgres) };
    },
  },
  prepared: {
    title: 'Prepared statements',
    describe: `the worker's append-and-archive (chunks of 1 and 10 commands) and the projector's mark with the applied offset (chunks of 1, 10 and 1,000 events), each through its real function on one connection, ${PREPARED_CALLS} calls (a twentieth for chunks of 1,000): sent unnamed (parsed and planned by Postgres every time) and as the named prepared statements streamfold sends; µs per statement`,
    columns: ['append 1', 'append 10', 'mark 1', 'mark 10', 'mark 1000'].flatMap((what) => [
      [`${what} unnamed`, `${what}: unnamed µs`] as const,
      [`${what} prepared`, `${what}: prepared µs`] as const,
    ]),
    run: () => preparedStatementCosts(PREPARED_CALLS),
  },
  cli: {
    title: 'CLI start-up, installed from the tarball',
    describe: `\`npm pack\`, installed into a plain JavaScript project outside the repository (the adoption test's js-app, its event log migrated); wall time of ${CLI_TIMES} invocations each, median per run: bare \`node -e 0\`, \`streamfold --help\` and \`streamfold status\` (Postgres and Kafka queries included) from the installed bin, and the repository's bin, which runs the sources through tsx; targets: --help ≤ 300 ms, status ≤ 1 s`,
    columns: [
      ['node', 'node -e 0 ms'],
      ['help', 'streamfold --help ms'],
      ['status', 'streamfold status ms'],
      ['sourcesHelp', 'repository bin --help (tsx) ms'],
    ],
    run: async () => {
      cliApp ??= installedApp();
      return cliTimings(await cliApp, CLI_TIMES);
    },
    finish: async () => {
      if (cliApp) await (await cliApp).cleanup();
    },
  },
  gateway: {
    title: 'HTTP gateway requests/s',
    describe: `\`streamfold serve\` (the sources through tsx, log level info) of each checkout, side by side on one counter pipeline, no worker running; autocannon in its own process, ${GATEWAY_CONNECTIONS} connections for ${GATEWAY_SECONDS} s per route and gateway after 1 s of warm-up, the gateways taking turns route by route, requests/s; POST /commands produces each command to Kafka (acks=all) before its 202. Checkouts: ${gatewayCheckouts.map((c) => c.label).join(', ')}`,
    columns: gatewayCheckouts.flatMap((c) => gatewayRoutes.map(([route, label]) => [`${c.label} ${route}`, `${c.label}: ${label}`] as const)),
    run: async () => {
      gatewayPipeline ??= gatewayBench(20);
      return gatewayRequestRates(await gatewayPipeline, gatewayCheckouts, GATEWAY_CONNECTIONS, GATEWAY_SECONDS);
    },
    finish: async () => {
      if (gatewayPipeline) await (await gatewayPipeline).pipeline.cleanup();
    },
  },
  pipelineClients: {
    title: 'The pipeline on each Kafka client: kafkajs against @platformatic/kafka',
    describe: `the same pipeline with each client behind the transport (\`STREAMFOLD_KAFKA_CLIENT\` for the worker, projector and replay processes; the load generator stays on kafkajs in both), in the same run: the \`steady\` scenario (${STEADY_RATE} commands/s for ${STEADY_SECONDS} s, kafkajs with its default sequential loop), the \`throughput\` one (${COMMANDS} commands), and a replay of the \`replay\` scenario's ${REPLAY_EVENTS} events into a new version from the topics; each process's CPU per command during the steady runs`,
    columns: [
      ...(['P50', 'P99', 'ToWorker'] as const).flatMap((measure) => [
        [`kafkajs${measure}`, `kafkajs ${clientMeasureLabels[measure]}`] as const,
        [`platformatic${measure}`, `platformatic ${clientMeasureLabels[measure]}`] as const,
      ]),
      ['kafkajsRate', 'kafkajs throughput commands/s'],
      ['platformaticRate', 'platformatic throughput commands/s'],
      ['rateRatio', 'throughput platformatic ÷ kafkajs'],
      ['kafkajsReplay', 'kafkajs replay events/s'],
      ['platformaticReplay', 'platformatic replay events/s'],
      ['kafkajsReplayCpu', 'kafkajs replay process CPU µs/event'],
      ['platformaticReplayCpu', 'platformatic replay process CPU µs/event'],
      ...cpuColumns(['kafkajs', 'platformatic']),
    ],
    run: async () => {
      const measures: Measures = {};
      for (const client of ['kafkajs', 'platformatic'] as const) {
        const env = { STREAMFOLD_KAFKA_CLIENT: client };
        const steady = await steadyRun(env);
        measures[`${client}P50`] = steady.p50Ms;
        measures[`${client}P99`] = steady.p99Ms;
        measures[`${client}ToWorker`] = steady.p50ToWorkerMs;
        for (const part of loopCpuParts) measures[`${client} ${part}`] = steady.cpu[`cpu ${part} µs`] ?? Number.NaN;
        measures[`${client}Rate`] = (await sendAll(COMMANDS, { env })).commandsPerSecond;
        // Loaded once, on kafkajs, after the first client's steady and throughput runs: never beside a measured run.
        const replay = await replayRate(await loadedReplayPipeline(), REPLAY_EVENTS, ++replayVersion, 'topics', 1, env);
        measures[`${client}Replay`] = replay.eventsPerSecond;
        measures[`${client}ReplayCpu`] = replay.cpu?.replay ?? Number.NaN;
      }
      measures.rateRatio = (measures.platformaticRate ?? Number.NaN) / (measures.kafkajsRate ?? Number.NaN);
      return measures;
    },
    finish: () => cleanupReplayPipeline(),
  },
  clients: {
    title: 'Kafka clients: kafkajs against @platformatic/kafka',
    describe: `is the Kafka client the limit? The same two measures with each client: ${COMMANDS} messages of a command's size produced in batches of 1,000 and consumed by a group (6 partitions, acks=all, idempotent, a commit per 250), and one hop at ${STEADY_RATE} messages/s for ${STEADY_SECONDS} s, one message per send, no offset commits`,
    columns: [
      ['kafkajs', 'kafkajs msgs/s'],
      ['platformatic', '@platformatic/kafka msgs/s'],
      ['throughputRatio', 'platformatic ÷ kafkajs, msgs/s'],
      ['kafkajsHopP50Ms', 'kafkajs one hop p50 ms'],
      ['platformaticHopP50Ms', 'platformatic one hop p50 ms'],
      ['kafkajsHopP99Ms', 'kafkajs one hop p99 ms'],
      ['platformaticHopP99Ms', 'platformatic one hop p99 ms'],
    ],
    run: async () => {
      const kafkajs = await kafkajsAlone(COMMANDS);
      const platformatic = await platformaticAlone(COMMANDS);
      const kafkajsHop = await kafkajsHopLatency(STEADY_RATE, STEADY_SECONDS);
      const platformaticHop = await platformaticHopLatency(STEADY_RATE, STEADY_SECONDS);
      return {
        kafkajs,
        platformatic,
        throughputRatio: platformatic / kafkajs,
        kafkajsHopP50Ms: kafkajsHop.p50Ms,
        platformaticHopP50Ms: platformaticHop.p50Ms,
        kafkajsHopP99Ms: kafkajsHop.p99Ms,
        platformaticHopP99Ms: platformaticHop.p99Ms,
      };
    },
  },
};

/** The performance issue's targets: which scenario's median each is read from, and the bound. */
const targets = [
  { target: 'steady: p50 send → projection at the held rate', scenario: 'steady', key: 'p50Ms', atMost: 10, unit: 'ms' },
  { target: 'steady: p99 send → projection at the held rate', scenario: 'steady', key: 'p99Ms', atMost: 50, unit: 'ms' },
  { target: 'end to end, 100,000 commands', scenario: 'throughput', key: 'commandsPerSecond', atLeast: 10_000, unit: 'commands/s' },
  { target: 'replay into a new version, from the topics', scenario: 'replay', key: 'topics', atLeast: 50_000, unit: 'events/s' },
  { target: 'replay into a new version, from the topics in two processes', scenario: 'replay', key: 'topicsTwoProcesses', atLeast: 50_000, unit: 'events/s' },
  { target: 'replay into a new version, from the event log', scenario: 'replay', key: 'eventlog', atLeast: 50_000, unit: 'events/s' },
  { target: 'against Emmett, same Postgres', scenario: 'peer', key: 'ratio', atLeast: 5, unit: '×' },
  { target: 'against the slower of kafkajs alone and Postgres alone', scenario: 'limits', key: 'ratio', atLeast: 0.5, unit: '×' },
] as const;

/** `npm run bench targets`: every scenario a target is read from, in one invocation. */
const groups: Record<string, readonly string[]> = { targets: [...new Set(targets.map((t) => t.scenario))] };

/** 52,734.5 and 4.09: thousands grouped, two decimals below 10, one above. */
const readable = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) < 10 ? 2 : 1 });

/** The targets table for the scenarios this invocation ran: bound, median measured, met or missed. */
function targetRows(medians: ReadonlyMap<string, Measures>): string[] {
  const measured = targets.filter((t) => medians.get(t.scenario)?.[t.key] !== undefined);
  if (measured.length === 0) return [];
  return [
    '### The performance targets',
    '',
    'Each target against the median of the runs above (same invocation).',
    '',
    '| target | bound | measured | met |',
    '| --- | --- | --- | --- |',
    ...measured.map((t) => {
      const value = medians.get(t.scenario)?.[t.key] as number;
      const met = 'atMost' in t ? value <= t.atMost : value >= t.atLeast;
      const bound = 'atMost' in t ? `≤ ${readable(t.atMost)} ${t.unit}` : `≥ ${readable(t.atLeast)} ${t.unit}`;
      return `| ${t.target} | ${bound} | ${readable(value)} ${t.unit} | ${met ? 'yes' : 'no'} |`;
    }),
    '',
  ];
}

function machine(): string {
  const versions = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package-lock.json'), 'utf8')).packages;
  const v = (name: string) => versions[`node_modules/${name}`]?.version ?? '?';
  const settings = readStackSettings();
  return [
    `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `Node ${process.version}, kafkajs ${v('kafkajs')}, pg ${v('pg')}, Kafka ${settings.kafkaVersion}, Apicurio ${settings.apicurioVersion}, ${execSync('psql --version').toString().trim()}`,
    'broker, registry, Postgres, worker, projector and the load generator on the same machine',
  ].join('; ');
}

async function main() {
  const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = chosen.length > 0 ? chosen.flatMap((name) => groups[name] ?? [name]) : Object.keys(scenarios);
  for (const name of names) if (!scenarios[name]) throw new Error(`no scenario ${name}; choose from ${[...Object.keys(scenarios), ...Object.keys(groups)].join(', ')}`);
  const medians = new Map<string, Measures>();
  const settings = readStackSettings();
  const started = await stackUp(settings, () => undefined);
  // The BENCH_* sizes set for this invocation are part of the command that reproduces it.
  const sizes = Object.entries(process.env).filter(([key]) => key.startsWith('BENCH_')).map(([key, value]) => `${key}=${value} `);
  const command = `${sizes.join('')}npm run bench${chosen.length > 0 ? ` ${chosen.join(' ')}` : ''}`;
  // Each scenario's table is appended as soon as it is measured: a long run stopped late keeps the rest.
  const file = path.join(projectRoot, 'docs/benchmarks.md');
  if (!fs.existsSync(file)) fs.writeFileSync(file, '# Benchmarks\n\nAppended by `npm run bench`; each section is one invocation.\n');
  const append = (lines: string[]) => {
    fs.appendFileSync(file, `${lines.join('\n')}\n`);
    console.log(lines.join('\n'));
  };
  append([`\n## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — \`${command}\``, '', `Machine: ${machine()}.`, '']);
  try {
    if (steadyWarmUp) {
      // A broker's JVM compiles its hot paths over its first minutes (its C2 thread took 15 % of a
      // core at 100 commands/s 35 s after start): without this, the first scenario pays for it.
      console.log('warming the stack: one unmeasured steady run');
      await steadyRun({}, { timeline: false });
      append([`The stack was warmed first by one unmeasured \`steady\` run (\`BENCH_WARMUP_SECONDS=0\` skips it).`, '']);
    }
    for (const name of names) {
      const scenario = scenarios[name]!;
      const results: Measures[] = [];
      const loadBefore = os.loadavg()[0]!;
      for (let run = 1; run <= RUNS; run++) {
        const result = await scenario.run();
        results.push(result);
        console.log(`${name} run ${run}: ${scenario.columns.map(([key, label]) => `${label} ${round(result[key] ?? Number.NaN, 2)}`).join(', ')}`);
        for (const label of scenario.segments ?? []) console.log(`  ${label}: p50 ${round(result[`${label} p50`] ?? Number.NaN, 2)}, p99 ${round(result[`${label} p99`] ?? Number.NaN, 2)}`);
      }
      await scenario.finish?.();
      medians.set(name, Object.fromEntries(Object.keys(results[0] ?? {}).map((key) => [key, median(results.map((r) => r[key] ?? Number.NaN))])));
      const cell = (key: string) => {
        const values = results.map((r) => r[key] ?? Number.NaN);
        const digits = Math.abs(median(values)) < 10 ? 2 : 1;
        return `${round(median(values), digits)} (${round(Math.min(...values), digits)}–${round(Math.max(...values), digits)})`;
      };
      append([
        `### ${scenario.title}`,
        '',
        `${scenario.describe}. Median of ${RUNS} runs (min–max).`,
        '',
        `| ${scenario.columns.map(([, label]) => label).join(' | ')} |`,
        `| ${scenario.columns.map(() => '---').join(' | ')} |`,
        `| ${scenario.columns.map(([key]) => cell(key)).join(' | ')} |`,
        '',
        ...(scenario.segments
          ? ['| segment | p50 ms | p99 ms |', '| --- | --- | --- |', ...scenario.segments.map((label) => `| ${label} | ${cell(`${label} p50`)} | ${cell(`${label} p99`)} |`), '']
          : []),
        `Load average (1 min) before the runs ${loadBefore.toFixed(2)}, after ${os.loadavg()[0]!.toFixed(2)} (${os.cpus().length} cores).`,
        '',
      ]);
    }
    const summary = targetRows(medians);
    if (summary.length > 0) append(summary);
  } finally {
    if (started.length > 0) await stackDown(settings, started, () => undefined);
  }
}

await main();
process.exit(0);
