// Replay rate: `npx tsx test/support/replayBenchmark.ts [events] [--baseline <checkout>]`.
// Loads `events` Increment events (counter fixture, 1,000 counters, 6 partitions) through the real
// worker into an isolated pipeline, then times `streamfold replay` of a fresh version from the
// topics and from the event log, each in a child process as an operator would run it. With
// --baseline, the same topics are first replayed by `streamfold project` of another checkout
// (the projector before this change), for comparison. Prints a markdown section for docs/benchmarks.md.
import { execSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createCommandSender } from '../../src/client/commandSender.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { projectorNameOf } from '../../src/projection/names.ts';
import { aggregateGroupOf, startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { spawnStreamfold, type Child } from './childProcesses.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from './isolatedPipeline.ts';

const args = process.argv.slice(2);
const events = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
const baselineAt = args.includes('--baseline') ? args[args.indexOf('--baseline') + 1] : undefined;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Timing {
  readonly label: string;
  /** From the process's start to the last event applied, and from the first event applied to the last. */
  readonly wallSeconds: number;
  readonly applySeconds: number;
}

/** Polls projected_events until the projector has applied every event; the child is stopped after. */
async function timeReplay(pipeline: IsolatedPipeline, label: string, projector: string, child: Child): Promise<Timing> {
  const started = performance.now();
  let firstAt: number | undefined;
  for (;;) {
    const { rows } = await pipeline.runtime.readPool.query<{ n: number }>('select count(*)::int as n from projected_events where projector = $1', [projector]);
    const n = rows[0]?.n ?? 0;
    if (n > 0) firstAt ??= performance.now();
    if (n >= events) break;
    if (child.process.exitCode !== null) throw new Error(`${label} exited early:\n${child.output()}`);
    await sleep(20);
  }
  const done = performance.now();
  child.process.kill('SIGINT');
  await child.exited;
  return { label, wallSeconds: (done - started) / 1000, applySeconds: (done - (firstAt ?? started)) / 1000 };
}

async function main() {
  const pipeline = await isolatedPipeline('replaybench', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 6 });
  try {
    const { runtime, config } = pipeline;
    const name = config.projections[0]?.name as string;
    const worker = await startAggregateWorker(runtime);
    const sender = await createCommandSender(runtime);
    const counters = Array.from({ length: 1000 }, () => randomUUID());
    for (let sent = 0; sent < events; sent += 1000) {
      const batch = Array.from({ length: Math.min(1000, events - sent) }, (_, i) => {
        const counter = counters[(sent + i) % counters.length] as string;
        return { commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: 1 } };
      });
      await sender.sendMany(batch);
    }
    await waitForQuiescence(runtime, 30 * 60_000, [aggregateGroupOf(config.app)]);
    await sender.close();
    await worker.stop();
    console.error(`loaded ${events} events`);

    const timings: Timing[] = [];
    if (baselineAt) {
      // The earlier projector runs the code's version (1): its own group and schema.
      const old = spawn(process.execPath, [path.join(baselineAt, 'bin/streamfold.mjs'), 'project'], { env: pipeline.childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      old.stdout.on('data', (c) => (output += c));
      old.stderr.on('data', (c) => (output += c));
      const child: Child = { process: old, output: () => output, exited: new Promise((resolve) => old.once('exit', (code, signal) => resolve(signal ?? code))) };
      timings.push(await timeReplay(pipeline, 'before: `streamfold project` of the earlier checkout, event by event, chunks of 250', projectorNameOf({ name, version: 1 }), child));
    }
    timings.push(
      await timeReplay(
        pipeline,
        '`streamfold replay --version 2 --partitions-concurrently 1` (from the topics, batched, one partition at a time)',
        projectorNameOf({ name, version: 2 }),
        spawnStreamfold(['replay', name, '--version', '2', '--partitions-concurrently', '1'], pipeline.childEnv),
      ),
    );
    timings.push(
      await timeReplay(
        pipeline,
        '`streamfold replay --version 4` (from the topics, batched, 4 partitions at once: the default)',
        projectorNameOf({ name, version: 4 }),
        spawnStreamfold(['replay', name, '--version', '4'], pipeline.childEnv),
      ),
    );
    timings.push(
      await timeReplay(
        pipeline,
        '`streamfold replay --version 3 --source eventlog`',
        projectorNameOf({ name, version: 3 }),
        spawnStreamfold(['replay', name, '--version', '3', '--source', 'eventlog'], pipeline.childEnv),
      ),
    );

    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const memory = execSync('free -g').toString().split('\n')[1]?.trim() ?? '';
    console.log(`## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — replay rate (\`npx tsx test/support/replayBenchmark.ts ${args.join(' ')}\`)\n`);
    console.log(`Machine: nproc ${os.cpus().length} (${cpu}); free -g: \`${memory}\`; load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}.`);
    console.log(`${events} events (counter fixture: one Incremented event per command, 1,000 counters, 6 partitions), already in the topics and the event log; the counters projection (one upsert per event). Each replay is a child process building a fresh version; "apply" is from its first event applied to its last, "wall" from process start (tsx start-up, group join) to its last.\n`);
    console.log('| replay | events/s (apply) | apply s | wall s |');
    console.log('| --- | --- | --- | --- |');
    for (const t of timings) console.log(`| ${t.label} | ${Math.round(events / t.applySeconds)} | ${t.applySeconds.toFixed(1)} | ${t.wallSeconds.toFixed(1)} |`);
  } finally {
    await pipeline.cleanup();
  }
}

await main();
process.exit();
