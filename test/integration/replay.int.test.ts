import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import type { Projection } from '../../src/core/index.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { watchCatchUp } from '../../src/projection/catchUp.ts';
import { cutover } from '../../src/projection/cutover.ts';
import { foldEventLogInto, tableDigests } from '../../src/projection/foldEventLog.ts';
import { projectionGroupOf, projectorNameOf, schemaOf, stableSchemaOf } from '../../src/projection/names.ts';
import { startProjector, type RunningProjector } from '../../src/projection/projector.ts';
import { retireVersion } from '../../src/projection/retire.ts';
import { verifyVersion } from '../../src/projection/verify.ts';
import { listVersions } from '../../src/projection/versions.ts';
import { aggregateGroupOf, startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { isolatedPipeline, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { rawKafka } from '../support/rawKafka.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a projection version rebuilt beside the live one while commands keep coming', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  let reciters: Projection;
  let v1: RunningProjector;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    pipeline = await isolatedPipeline('replay');
    const { runtime, config } = pipeline;
    reciters = config.projections.find((p) => p.name === pipeline.named('reciters')) as Projection;
    running.push(await startAggregateWorker(runtime));
    v1 = await startProjector(runtime, reciters);
    sender = await createCommandSender(runtime);
  });

  afterAll(async () => {
    await sender?.close();
    for (const part of running) await part.stop();
    await v1?.stop().catch(() => undefined);
    await pipeline?.cleanup();
  });

  const createReciter = async (name: string) => {
    const uuid = randomUUID();
    await sender.send({ commandType: 'CreateReciter', aggregateUuid: uuid, data: { reciter_uuid: uuid, name, description: null } });
    return uuid;
  };

  it('replays v2 from offset zero, verifies it, cuts over with no failed read and no count going back, and both versions equal the fold', async () => {
    const { runtime, config } = pipeline;
    const groupOf = (version: number) => projectionGroupOf(config.app, { name: reciters.name, version });
    expect(v1.status).toBe('live');

    // History from before v2 exists.
    const early = await Promise.all(Array.from({ length: 150 }, (_, i) => createReciter(`early ${i}`)));
    await waitForQuiescence(runtime, 60_000, [aggregateGroupOf(config.app), groupOf(1)]);

    // A load that only adds and renames reciters, so the count a reader sees may only grow.
    let loading = true;
    let sent = 0;
    const load = (async () => {
      while (loading) {
        await Promise.all(Array.from({ length: 5 }, () => createReciter(`load ${sent++}`)));
        const renamed = early[sent % early.length] as string;
        await sender.send({ commandType: 'ModifyReciter', aggregateUuid: renamed, data: { reciter_uuid: renamed, name: `renamed ${sent}`, description: null } });
        await sleep(10);
      }
    })();

    // A reader of the stable schema, on a connection of its own, like an application's.
    const reads: { at: number; count?: number; error?: string }[] = [];
    let reading = true;
    const reader = (async () => {
      const client = new pg.Client({ connectionString: pipeline.settings.databaseUrl });
      await client.connect();
      try {
        while (reading) {
          try {
            const { rows } = await client.query(`select count(*)::int as n from "${stableSchemaOf(reciters)}".reciters`);
            reads.push({ at: Date.now(), count: rows[0].n });
          } catch (error) {
            reads.push({ at: Date.now(), error: (error as Error).message });
          }
          await sleep(5);
        }
      } finally {
        await client.end();
      }
    })();

    await expect(cutover(runtime, reciters, 2)).rejects.toMatchObject({ code: 'UNKNOWN_VERSION', message: expect.stringContaining(`streamfold replay ${reciters.name} --version 2`) });
    const v2 = await startProjector(runtime, reciters, { version: 2 });
    running.push(v2);
    expect(v2.status).toBe('replaying');
    await expect(cutover(runtime, reciters, 2)).rejects.toMatchObject({ code: 'NOT_VERIFIED', message: expect.stringContaining(`streamfold verify ${reciters.name} --version 2`) });

    const caughtUp = await watchCatchUp(runtime, [{ projection: reciters, version: 2 }], () => undefined);
    expect(caughtUp?.applied).toBeGreaterThanOrEqual(150n);
    const verification = await verifyVersion(runtime, reciters, 2);
    expect(verification).toMatchObject({ passed: true, gaps: [], neverApplied: 0 });
    expect(verification.eventsFolded).toBeGreaterThanOrEqual(150);
    expect(verification.tables[0]?.equal).toBe(true);

    const readsBefore = reads.length;
    const switched = await cutover(runtime, reciters, 2, { maxLag: 500n });
    const cutAt = Date.now();
    expect(switched).toMatchObject({ from: 1, to: 2, alreadyLive: false });

    await expect(retireVersion(runtime, reciters, 2)).rejects.toMatchObject({ code: 'LIVE_VERSION', message: expect.stringContaining('is live') });
    await expect(retireVersion(runtime, reciters, 1)).rejects.toMatchObject({ code: 'GROUP_ACTIVE', message: expect.stringContaining('stop them first') });

    // Both versions keep consuming after the cutover.
    await sleep(1_500);
    loading = false;
    await load;
    await waitForQuiescence(runtime, 90_000, [aggregateGroupOf(config.app), groupOf(1), groupOf(2)]);
    await sleep(100);
    reading = false;
    await reader;

    expect(reads.filter((r) => r.error)).toEqual([]);
    const counts = reads.map((r) => r.count as number);
    expect(counts.every((count, i) => i === 0 || count >= (counts[i - 1] as number))).toBe(true);
    expect(readsBefore).toBeGreaterThan(10);
    expect(reads.filter((r) => r.at > cutAt).length).toBeGreaterThan(10);
    expect(counts.at(-1)).toBe(150 + sent);

    const folded = `${schemaOf(reciters)}_fold`;
    await foldEventLogInto(runtime, reciters, folded);
    const fold = await tableDigests(runtime.readPool, reciters, folded);
    expect(await tableDigests(runtime.readPool, reciters, schemaOf({ name: reciters.name, version: 1 }))).toEqual(fold);
    expect(await tableDigests(runtime.readPool, reciters, schemaOf({ name: reciters.name, version: 2 }))).toEqual(fold);
    const { rows: views } = await runtime.readPool.query(`select definition from pg_views where schemaname = $1 and viewname = 'reciters'`, [stableSchemaOf(reciters)]);
    expect(views[0]?.definition).toContain(`${reciters.name}_v2.reciters`);
    expect((await listVersions(runtime.readPool, reciters.name)).map((v) => [v.version, v.status])).toEqual([
      [1, 'superseded'],
      [2, 'live'],
    ]);

    // Once its projector has stopped, v1 retires: group, schema and bookkeeping gone.
    await v1.stop();
    expect(await retireVersion(runtime, reciters, 1)).toBe('retired');
    const { rows: schemas } = await runtime.readPool.query(`select 1 from information_schema.schemata where schema_name = $1`, [schemaOf({ name: reciters.name, version: 1 })]);
    expect(schemas).toEqual([]);
    const { rows: marks } = await runtime.readPool.query(`select count(*)::int as n from projected_events where projector = $1`, [projectorNameOf({ name: reciters.name, version: 1 })]);
    expect(marks[0].n).toBe(0);
    const admin = rawKafka(runtime).admin();
    await admin.connect();
    const { groups } = await admin.listGroups();
    await admin.disconnect();
    expect(groups.map((g) => g.groupId)).not.toContain(groupOf(1));
    expect(groups.map((g) => g.groupId)).toContain(groupOf(2));
    expect((await listVersions(runtime.readPool, reciters.name)).map((v) => [v.version, v.status])).toEqual([
      [1, 'retired'],
      [2, 'live'],
    ]);
  });
});
