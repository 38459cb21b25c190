import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import { waitForOutcome } from '../../src/client/waitForOutcome.ts';
import type { Projection } from '../../src/core/index.ts';
import { pipelineStatus } from '../../src/operate/status.ts';
import { isHalted } from '../../src/eventlog/index.ts';
import { projectionGroupOf, projectorNameOf, schemaOf } from '../../src/projection/names.ts';
import { startProjector } from '../../src/projection/projector.ts';
import { withDatabase } from '../../src/eventlog/database.ts';
import { startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { spawnStreamfold, waitForOutput, type Child } from '../support/childProcesses.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { rawKafka } from '../support/rawKafka.ts';

const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));
const fastRetry = { attempts: 2, initialMs: 10, factor: 2, maxMs: 20 } as const;

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a halt during a replay is visible and clearable (counter fixture: its handler throws for by = 13)', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  let counters: Projection;
  let database: string | undefined;
  const children: Child[] = [];
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    pipeline = await isolatedPipeline('replayhalts', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 1 });
    counters = pipeline.config.projections[0] as Projection;
    running.push(await startAggregateWorker(pipeline.runtime));
    sender = await createCommandSender(pipeline.runtime);
  });

  afterAll(async () => {
    for (const child of children) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    await sender?.close();
    for (const part of running) await part.stop();
    if (pipeline && database) {
      const admin = rawKafka(pipeline.runtime).admin();
      await admin.connect();
      await admin.deleteGroups([projectionGroupOf(pipeline.config.app, counters, database)]).catch(() => undefined);
      await admin.disconnect();
      const client = new pg.Client({ connectionString: withDatabase(pipeline.settings.databaseUrl, 'postgres') });
      await client.connect();
      await client.query(`drop database if exists ${client.escapeIdentifier(database)} with (force)`);
      await client.end();
    }
    await pipeline?.cleanup();
  });

  const streamfold = (...args: string[]) => {
    const child = spawnStreamfold(args, pipeline.childEnv);
    children.push(child);
    return child;
  };
  const run = async (...args: string[]) => {
    const child = streamfold(...args);
    return { code: await child.exited, output: child.output() };
  };
  const increment = async (counter: string, by: number) => {
    const command = await sender.send({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by } });
    return (await waitForOutcome(pipeline.runtime.pool, command.commandUuid)).events[0]!;
  };

  it("follows v1's skip in a replay into v2, shows v2's own halt on the progress line and in status, and goes on after projection skip --version 2", async () => {
    const { runtime } = pipeline;
    const name = counters.name;
    const [v1, v2] = [projectorNameOf({ name, version: 1 }), projectorNameOf({ name, version: 2 })];
    running.push(await startProjector(runtime, counters, { retry: fastRetry }));
    const [a, b] = [randomUUID(), randomUUID()];
    await increment(a, 1);
    const skippedInV1 = await increment(a, 13);
    await increment(a, 2);
    await increment(b, 3);
    const haltsBoth = await increment(b, 13);

    // v1, live, halts on the first poisoned event; the operator skips it there (the live version by default).
    await eventually(() => isHalted(runtime.pool, v1), Boolean);
    expect(await run('projection', 'skip', name)).toMatchObject({ code: 0, output: expect.stringContaining(`${name} v1 (live): skipped the halted event; it goes on`) });
    // Then v1 halts on the second, which nobody has decided about yet.
    await eventually(async () => (await pipelineStatus(runtime)).failures.find((f) => f.event_uuid === haltsBoth.eventUuid), Boolean);

    const replay = streamfold('replay', name, '--version', '2');
    await waitForOutput(replay, 'HALTED', 60_000);
    const clear = `streamfold projection skip ${name} --version 2`;
    // At once, not after the 5-second line: the event, its error, and the command that clears it.
    expect(replay.output()).toContain(
      `HALTED: ${name} v2 halted on Incremented ${haltsBoth.eventUuid}: unlucky increment on ${b}. Clear it: ${clear} (leave the event out) or streamfold projection resume ${name} --version 2 (retry it); 1 event skipped because another version skipped it`,
    );
    expect(replay.output()).not.toMatch(/HALTED.*events\/s/);

    // status lists both versions' halts, the replaying one included, each with its version and what clears it.
    const status = await run('status');
    expect(status.output).toContain(`${name} v1 (live) HALTED at ${pipeline.named('counter')}.events[0]@`);
    expect(status.output).toContain(`${name} v2 (replaying) HALTED at ${pipeline.named('counter')}.events[0]@`);
    expect(status.output).toContain(`clear it: ${clear} (leave it out)`);
    expect(status.output).not.toContain('projection failures (every version): none');
    expect((await pipelineStatus(runtime)).failures.map((f) => `${f.projection} v${f.version} ${f.status} ${f.event_uuid}`).sort()).toEqual([
      `${name} v1 halted ${haltsBoth.eventUuid}`,
      `${name} v2 halted ${haltsBoth.eventUuid}`,
    ]);

    // A version that does not exist, or a projection that does not: one line, exit 2.
    expect(await run('projection', 'skip', name, '--version', '9')).toMatchObject({ code: 2, output: expect.stringContaining(`${name} has no version 9; its versions are 1 (live), 2 (replaying)`) });
    expect(await run('projection', 'resume', 'nope', '--version', '2')).toMatchObject({ code: 2, output: expect.stringContaining('no projection named "nope"') });

    expect(await run('projection', 'skip', name, '--version', '2')).toMatchObject({ code: 0, output: expect.stringContaining(`${name} v2 (replaying): skipped the halted event; it goes on`) });
    await waitForOutput(replay, 'caught up with the head', 60_000);
    // v1 is still halted: the skip acted on v2 alone.
    expect(await isHalted(runtime.pool, v1)).toBe(true);
    replay.process.kill('SIGINT');
    expect(await replay.exited).toBe(0);
    if (process.env.SHOW_REPLAY_OUTPUT) console.log(replay.output());

    // v2 left out v1's skipped event and says whose skip it followed; its own skip is the operator's.
    const { rows } = await runtime.readPool.query<{ event_uuid: string; status: string; error: string }>(
      'select event_uuid::text, status, error from projection_failures where projector = $1 order by error',
      [v2],
    );
    expect(rows).toEqual([
      { event_uuid: skippedInV1.eventUuid, status: 'skipped', error: `followed the skip of ${v1}: unlucky increment on ${a}` },
      { event_uuid: haltsBoth.eventUuid, status: 'skipped', error: `unlucky increment on ${b}` },
    ]);
    const { rows: totals } = await runtime.readPool.query<{ counter_uuid: string; total: string; applied: number }>(
      `select counter_uuid::text, total::text, applied from "${schemaOf({ name, version: 2 })}".counters order by applied`,
    );
    expect(totals).toEqual([
      { counter_uuid: b, total: '3', applied: 1 },
      { counter_uuid: a, total: '16', applied: 2 },
    ]);
    expect(await run('verify', name, '--version', '2')).toMatchObject({ code: 0, output: expect.stringContaining(`PASSED: ${name} v2`) });
  });

  it('a rebuilt read database follows the skips of the one readers use, and its own halt names the command with --database', async () => {
    const { runtime } = pipeline;
    const name = counters.name;
    database = `sf_rbh_${pipeline.suffix}`;
    const c = randomUUID();
    const nobodySkipped = await increment(c, 13);

    const rebuild = streamfold('rebuild', '--database', database);
    await waitForOutput(rebuild, 'HALTED', 90_000);
    // The two events skipped in the event log's database (one in v1 and v2, one in v2 alone) are skipped in the rebuild too; the third halts it.
    expect(rebuild.output()).toContain(`2 events skipped in ${databaseName(pipeline.settings.databaseUrl)} will be skipped in ${database} too`);
    const clear = `streamfold projection skip ${name} --version 1 --database ${database}`;
    expect(rebuild.output()).toContain(`HALTED: ${name} v1 halted on Incremented ${nobodySkipped.eventUuid}: unlucky increment on ${c}. Clear it: ${clear} (leave the event out)`);
    expect(rebuild.output()).toContain('2 events skipped because another version skipped them');

    expect(await run(...clear.split(' ').slice(1))).toMatchObject({ code: 0, output: expect.stringContaining(`${name} v1 (live) in ${database}: skipped the halted event; it goes on`) });
    expect(await rebuild.exited).toBe(0);
    expect(rebuild.output()).toContain(`PASSED: every projection in ${database} equals the fold of the event log.`);
    // The live v1 in the event log's database is untouched: still halted on the event the operator skipped in v2 alone.
    expect(await isHalted(runtime.pool, projectorNameOf({ name, version: 1 }))).toBe(true);
  });
});
