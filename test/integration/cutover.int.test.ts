import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import type { Projection } from '../../src/core/index.ts';
import { appliedOffsets } from '../../src/eventlog/index.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { watchCatchUp } from '../../src/projection/catchUp.ts';
import { cutover } from '../../src/projection/cutover.ts';
import { projectionGroupOf, projectorNameOf, stableSchemaOf } from '../../src/projection/names.ts';
import { startProjector, type RunningProjector } from '../../src/projection/projector.ts';
import { verifyVersion } from '../../src/projection/verify.ts';
import { listVersions } from '../../src/projection/versions.ts';
import { aggregateGroupOf, startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { isolatedPipeline, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

// The cutover's last guard: a verified v2 within --max-lag of its topics' head is still refused
// while it has applied less than the live v1 on some partition, since readers would go back in time.
describe('a cutover to a version behind the live one', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  let reciters: Projection;
  let v2: RunningProjector | undefined;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    pipeline = await isolatedPipeline('cutover');
    reciters = pipeline.config.projections.find((p) => p.name === pipeline.named('reciters')) as Projection;
    running.push(await startAggregateWorker(pipeline.runtime));
    running.push(await startProjector(pipeline.runtime, reciters));
    sender = await createCommandSender(pipeline.runtime);
  });

  afterAll(async () => {
    await sender?.close();
    await v2?.stop().catch(() => undefined);
    for (const part of running) await part.stop();
    await pipeline?.cleanup();
  });

  const createReciters = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const uuid = randomUUID();
      await sender.send({ commandType: 'CreateReciter', aggregateUuid: uuid, data: { reciter_uuid: uuid, name: `reciter ${i}`, description: null } });
    }
    const { config, runtime } = pipeline;
    await waitForQuiescence(runtime, 60_000, [aggregateGroupOf(config.app), projectionGroupOf(config.app, { name: reciters.name, version: 1 })]);
  };

  it('refuses with BEHIND_LIVE, naming the partitions, switches nothing, and goes through once v2 has caught up', async () => {
    const { runtime } = pipeline;
    await createReciters(20);
    v2 = await startProjector(runtime, reciters, { version: 2 });
    await watchCatchUp(runtime, [{ projection: reciters, version: 2 }], () => undefined);
    expect(await verifyVersion(runtime, reciters, 2)).toMatchObject({ passed: true });
    // v2 stops; v1 goes on applying: v2 is verified, a few events from the head, and behind v1.
    await v2.stop();
    v2 = undefined;
    await createReciters(12);
    const offsets = await appliedOffsets(runtime.readPool, [1, 2].map((version) => projectorNameOf({ name: reciters.name, version })));
    const total = (version: number) => (offsets.get(projectorNameOf({ name: reciters.name, version })) ?? []).reduce((sum, o) => sum + o.next, 0n);
    expect(total(1) - total(2)).toBe(12n);

    const refused = cutover(runtime, reciters, 2, { maxLag: 100n, waitMs: 1_000 });
    await expect(refused).rejects.toMatchObject({ code: 'BEHIND_LIVE' });
    const message = await refused.catch((error: Error) => error.message);
    expect(message).toContain(`${reciters.name} v2 has applied less than the live v1 on ${pipeline.named('reciter')}.events[`);
    expect(message).toContain('switching now would take readers back in time');
    expect((await listVersions(runtime.readPool, reciters.name)).find((v) => v.status === 'live')?.version).toBe(1);
    const view = async () =>
      (await runtime.readPool.query<{ definition: string }>(`select definition from pg_views where schemaname = $1 and viewname = 'reciters'`, [stableSchemaOf(reciters)])).rows[0]?.definition;
    expect(await view()).toContain(`${reciters.name}_v1.reciters`);

    // Its projector running again, v2 reaches v1 within the wait and the cutover goes through.
    v2 = await startProjector(runtime, reciters, { version: 2 });
    expect(await cutover(runtime, reciters, 2, { maxLag: 100n, waitMs: 30_000 })).toMatchObject({ from: 1, to: 2, alreadyLive: false });
    expect(await view()).toContain(`${reciters.name}_v2.reciters`);
  });
});
