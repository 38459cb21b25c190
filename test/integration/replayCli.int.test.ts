import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import type { Projection } from '../../src/core/index.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { projectionGroupOf, projectorNameOf, schemaOf } from '../../src/projection/names.ts';
import { startProjector, type RunningProjector } from '../../src/projection/projector.ts';
import { aggregateGroupOf, startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { spawnStreamfold, waitForOutput, type Child } from '../support/childProcesses.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { killAt } from '../faults/faultHooks.ts';
import { rawKafka } from '../support/rawKafka.ts';

const COUNTERS = 400;
const ROUNDS = 3;

describe('replay, verify, cutover and retire from the command line (counter fixture)', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  let counters: Projection;
  let v1: RunningProjector | undefined;
  const children: Child[] = [];
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    pipeline = await isolatedPipeline('replaycli', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 3 });
    counters = pipeline.config.projections[0] as Projection;
    running.push(await startAggregateWorker(pipeline.runtime));
    v1 = await startProjector(pipeline.runtime, counters);
    sender = await createCommandSender(pipeline.runtime);
  });

  afterAll(async () => {
    for (const child of children) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    await sender?.close();
    for (const part of running) await part.stop();
    await v1?.stop();
    await pipeline?.cleanup();
  });

  const streamfold = (args: string[], env: NodeJS.ProcessEnv = pipeline.childEnv) => {
    const child = spawnStreamfold(args, env);
    children.push(child);
    return child;
  };
  const run = async (...args: string[]) => {
    const child = streamfold(args);
    return { code: await child.exited, output: child.output() };
  };
  const groupOf = (version: number) => projectionGroupOf(pipeline.config.app, { name: counters.name, version });
  const increments = async (ids: readonly string[]) => {
    for (let round = 0; round < ROUNDS; round++) {
      await sender.sendMany(ids.map((id) => ({ commandType: 'Increment', aggregateUuid: id, data: { counter_uuid: id, by: 1 } })));
    }
    await waitForQuiescence(pipeline.runtime, 90_000, [aggregateGroupOf(pipeline.config.app), groupOf(1)]);
  };
  const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

  it('resumes a replay killed between its Postgres commit and its offset commit, applying every event once', async () => {
    const { runtime } = pipeline;
    await increments(Array.from({ length: COUNTERS }, () => randomUUID()));
    const name = counters.name;

    // One partition at a time, so the kill lands after exactly two chunks have committed in Postgres.
    // A short session, so the group lets go of the killed member in seconds when the replay resumes.
    const shortSession = { ...pipeline.childEnv, STREAMFOLD_SESSION_TIMEOUT_MS: '6000' };
    const killed = streamfold(['replay', name, '--version', '2', '--partitions-concurrently', '1'], { ...shortSession, ...killAt('projector.after-commit', 2) });
    expect(await killed.exited).toBe('SIGKILL');
    expect(killed.output()).toContain(`${name} v2 (replaying beside the live v1): consumer group ${groupOf(2)}, schema ${name}_v2`);

    // The read model went further than the group's committed offsets: the kill came between the two commits.
    const { rows } = await runtime.readPool.query<{ next_offset: bigint }>('select next_offset from projection_offsets where projector = $1', [projectorNameOf({ name, version: 2 })]);
    const applied = sum(rows.map((r) => r.next_offset));
    const admin = rawKafka(runtime).admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: groupOf(2), topics: [`${pipeline.named('counter')}.events`] });
    await admin.disconnect();
    const committedSum = sum((committed?.partitions ?? []).map((p) => (p.offset === '-1' ? 0n : BigInt(p.offset))));
    expect(applied).toBeGreaterThan(committedSum);
    expect(applied).toBeLessThan(BigInt(COUNTERS * ROUNDS));

    const resumed = streamfold(['replay', name, '--version', '2'], shortSession);
    await waitForOutput(resumed, 'caught up with the head', 90_000);
    expect(resumed.output()).toMatch(new RegExp(`${name} v2 resumes at [1-9]\\d* of ${COUNTERS * ROUNDS} events`));
    // Not a terminal: plain progress lines, done of total with rate and ETA.
    expect(resumed.output()).toMatch(new RegExp(`${name} v2: \\d+/${COUNTERS * ROUNDS} events \\(\\d+%\\), \\d+ events/s, ETA `));
    expect(resumed.output()).toContain(`next: streamfold verify ${name} --version 2`);
    resumed.process.kill('SIGINT');
    expect(await resumed.exited).toBe(0);
    expect(resumed.output()).toContain(`stopped ${name} v2; its offsets are committed, so the same command resumes it`);

    // Each counter's events applied exactly once, in order: the fixture counts applications and throws on disorder.
    const { rows: read } = await runtime.readPool.query<{ applied: number; total: string }>(`select applied, total::text from "${schemaOf({ name, version: 2 })}".counters`);
    expect(read).toHaveLength(COUNTERS);
    expect(read.every((r) => r.applied === ROUNDS && r.total === String(ROUNDS))).toBe(true);
  });

  it('verifies, refuses with the reason and what to run, cuts over and retires', async () => {
    const { runtime } = pipeline;
    const name = counters.name;

    expect(await run('replay', 'nope')).toMatchObject({ code: 1, output: expect.stringContaining(`streamfold: no projection named nope; the config has ${name}`) });
    expect(await run('cutover', name, '--version', '7')).toMatchObject({ code: 1, output: expect.stringContaining(`has no version 7; build it first: streamfold replay ${name} --version 7`) });
    expect(await run('cutover', name, '--version', '2')).toMatchObject({
      code: 1,
      output: expect.stringContaining(`${name} v2 cannot go live: it has not been verified. Run: streamfold verify ${name} --version 2`),
    });

    const passed = await run('verify', name, '--version', '2');
    expect(passed).toMatchObject({ code: 0, output: expect.stringContaining(`PASSED: ${name} v2 equals the fold of the events it has applied. Next: streamfold cutover ${name} --version 2`) });
    expect(passed.output).toMatch(new RegExp(`counters +version ${COUNTERS} rows, checksum \\w+ \\| fold ${COUNTERS} rows, checksum \\w+ \\| equal`));

    // A read model that drifted from the log fails verification (exit 2) and cannot go live.
    const v2 = `"${schemaOf({ name, version: 2 })}".counters`;
    const { rows: picked } = await runtime.readPool.query<{ id: string }>(`update ${v2} set total = total + 100 where counter_uuid = (select counter_uuid from ${v2} order by counter_uuid limit 1) returning counter_uuid::text as id`);
    const failed = await run('verify', name, '--version', '2');
    expect(failed.code).toBe(2);
    expect(failed.output).toContain('| DIFFERENT');
    expect(failed.output).toContain(`only in v2: {"total":${ROUNDS + 100},"applied":${ROUNDS},"counter_uuid":"${picked[0]?.id}"`);
    expect(failed.output).toContain(`only in the fold: {"total":${ROUNDS},"applied":${ROUNDS},"counter_uuid":"${picked[0]?.id}"`);
    expect(await run('cutover', name, '--version', '2')).toMatchObject({ code: 1, output: expect.stringContaining('cannot go live: its last verification found differences') });
    await runtime.readPool.query(`update ${v2} set total = total - 100 where counter_uuid = $1`, [picked[0]?.id]);
    expect((await run('verify', name, '--version', '2')).code).toBe(0);

    // Events v2 has not seen (its replay is stopped): the cutover refuses a lagging version.
    await increments(Array.from({ length: 100 }, () => randomUUID()));
    expect(await run('cutover', name, '--version', '2')).toMatchObject({
      code: 1,
      output: expect.stringContaining(`${name} v2 is 300 events behind the head of its topics (more than --max-lag 100)`),
    });

    const replay = streamfold(['replay', name, '--version', '2']);
    await waitForOutput(replay, 'caught up with the head', 90_000);
    const switched = await run('cutover', name, '--version', '2');
    expect(switched).toMatchObject({ code: 0, output: expect.stringContaining(`${name}: readers now see v2 (the views in schema ${name} read ${name}_v2).`) });
    expect(switched.output).toContain(`v1 keeps consuming until you run: streamfold retire ${name} --version 1`);

    expect(await run('retire', name, '--version', '2')).toMatchObject({
      code: 1,
      output: expect.stringContaining(`${name} v2 is live: readers use it. Cut over to another version first: streamfold cutover ${name} --version 1`),
    });
    expect(await run('retire', name, '--version', '1')).toMatchObject({ code: 1, output: expect.stringContaining(`${name} v1 is still consumed by 1 running process (group ${groupOf(1)})`) });
    await v1?.stop();
    v1 = undefined;
    expect(await run('retire', name, '--version', '1')).toMatchObject({ code: 0, output: expect.stringContaining(`retired ${name} v1: consumer group ${groupOf(1)} deleted, schema ${name}_v1 dropped`) });

    const versions = await run('versions', name);
    expect(versions.output).toMatch(new RegExp(`${name} +1 +retired`));
    expect(versions.output).toMatch(new RegExp(`${name} +2 +live`));
    const { rows } = await runtime.readPool.query(`select count(*)::int as n from "${name}".counters`);
    expect(rows[0].n).toBe(COUNTERS + 100);

    replay.process.kill('SIGINT');
    expect(await replay.exited).toBe(0);
  });
});
