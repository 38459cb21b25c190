// The `gateway` scenario: requests/s of `streamfold serve` under autocannon, for each checkout
// given (this repository, and e.g. a `git worktree` of an older commit) on the same pipeline.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createCommandSender, startAggregateWorker, waitForOutcome } from '../../src/index.ts';
import { type Child, waitForOutput } from '../../test/support/childProcesses.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../../test/support/isolatedPipeline.ts';

/** A checkout whose `bin/streamfold.mjs serve` is measured. */
export interface Checkout {
  readonly label: string;
  readonly root: string;
}

export interface GatewayBench {
  readonly pipeline: IsolatedPipeline;
  /** A counter with `streamLength` events, for GET /streams/:uuid. */
  readonly counter: string;
}

const counterConfig = (root: string) => path.join(root, 'test/fixtures/counter/streamfold.config.ts');

/** An isolated counter pipeline with one stream of `streamLength` events; no worker runs while the gateway is measured. */
export async function gatewayBench(streamLength: number): Promise<GatewayBench> {
  const pipeline = await isolatedPipeline('gwbench', { configFile: counterConfig(projectRoot), partitions: 3 });
  const worker = await startAggregateWorker(pipeline.runtime);
  const sender = await createCommandSender(pipeline.runtime);
  const counter = randomUUID();
  try {
    let last = '';
    for (let i = 0; i < streamLength; i++) last = (await sender.send({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: 1 } })).commandUuid;
    await waitForOutcome(pipeline.runtime.pool, last, 60_000);
  } finally {
    await sender.close();
    await worker.stop();
  }
  return { pipeline, counter };
}

function serve(checkout: Checkout, bench: GatewayBench): Child {
  // The checkout's own copy of the test fixtures builds the same isolated config from the same suffix.
  const env = {
    ...bench.pipeline.childEnv,
    STREAMFOLD_CONFIG: path.join(checkout.root, 'test/fixtures/isolated.config.ts'),
    STREAMFOLD_TEST_BASE_CONFIG: counterConfig(checkout.root),
    STREAMFOLD_HTTP_PORT: '0',
  };
  const child = spawn(process.execPath, [path.join(checkout.root, 'bin/streamfold.mjs'), 'serve'], { cwd: checkout.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The start-up lines are what is read; a line per command sent is not kept.
  let output = '';
  const keep = (chunk: Buffer) => void (output.length < 65_536 && (output += chunk));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return { process: child, output: () => output, exited };
}

interface Cannon {
  readonly path: string;
  readonly method?: 'POST';
  readonly body?: string;
}

/** autocannon in its own process: requests/s over `seconds`, after a warm-up; any error or unexpected status stops the bench. */
function cannon(url: string, shot: Cannon, connections: number, seconds: number): number {
  const bin = path.join(projectRoot, 'node_modules/autocannon/autocannon.js');
  const args = [bin, '-j', '-n', '-c', String(connections), '-d', String(seconds), '-W', '[', '-c', String(connections), '-d', '1', ']'];
  if (shot.method) args.push('-m', shot.method, '-H', 'content-type=application/json', '-b', shot.body ?? '');
  const result = spawnSync(process.execPath, [...args, `${url}${shot.path}`], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`autocannon exited ${result.status}: ${result.stderr}`);
  // With a warm-up autocannon prints two reports, the warm-up's first.
  const report = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as { requests: { average: number }; errors: number; timeouts: number; non2xx: number };
  if (report.errors > 0 || report.timeouts > 0 || report.non2xx > 0) {
    throw new Error(`${shot.method ?? 'GET'} ${shot.path}: ${report.errors} errors, ${report.timeouts} timeouts, ${report.non2xx} answers not 2xx`);
  }
  return report.requests.average;
}

/**
 * One run: every checkout's gateway started, then each route loaded on each gateway in turn (the
 * order flipped from route to route), so the machine's other load falls on both alike;
 * requests/s keyed `<label> <route>`.
 */
export async function gatewayRequestRates(bench: GatewayBench, checkouts: readonly Checkout[], connections: number, seconds: number): Promise<Record<string, number>> {
  const { counter } = bench;
  const increment = JSON.stringify({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: 1 } });
  const shots: [string, Cannon][] = [
    ['health', { path: '/health' }],
    ['stream', { path: `/streams/${counter}` }],
    ['commands', { path: '/commands', method: 'POST', body: increment }],
  ];
  const gateways = checkouts.map((checkout) => ({ checkout, child: serve(checkout, bench), url: '' }));
  try {
    for (const gateway of gateways) {
      await waitForOutput(gateway.child, 'gateway listening');
      gateway.url = /"url":"(http:\/\/[^"]+)"/.exec(gateway.child.output())?.[1] ?? '';
      if (!gateway.url) throw new Error(`${gateway.checkout.label}: no url in the gateway's output:\n${gateway.child.output()}`);
    }
    const rates: Record<string, number> = {};
    shots.forEach(([route, shot], i) => {
      for (const { checkout, url } of i % 2 === 0 ? gateways : [...gateways].reverse()) rates[`${checkout.label} ${route}`] = cannon(url, shot, connections, seconds);
    });
    return rates;
  } finally {
    for (const { child } of gateways) {
      child.process.kill('SIGTERM');
      await child.exited;
    }
  }
}
