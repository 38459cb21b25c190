import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countersProjection } from '../fixtures/counter/counter.ts';
import { counterEvent as event } from '../fixtures/counter/recordedEvent.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

// A projection's `applyAll` must leave the rows `apply` leaves, event by event: the projector
// takes the set-based path and falls back to `apply` only when a chunk throws.
describe('a set-based projection write (applyAll) against event-by-event apply, on real Postgres', () => {
  let pipeline: IsolatedPipeline;
  const schemas = { batched: `sb_batched_${randomUUID().slice(0, 8)}`, oneByOne: `sb_one_${randomUUID().slice(0, 8)}` };
  beforeAll(async () => {
    pipeline = await isolatedPipeline('setbased', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 1 });
    for (const schema of Object.values(schemas)) {
      await pipeline.runtime.pool.query(`create schema "${schema}"`);
      await countersProjection.setup(pipeline.runtime.pool, schema);
    }
  });
  afterAll(async () => {
    for (const schema of Object.values(schemas)) await pipeline?.runtime.pool.query(`drop schema if exists "${schema}" cascade`);
    await pipeline?.cleanup();
  });

  const rowsOf = async (schema: string) =>
    (await pipeline.runtime.pool.query(`select counter_uuid, total::int, applied, last_version::int from "${schema}".counters order by counter_uuid`)).rows;

  it('leaves the same rows, across chunks and with several events of one counter in a chunk', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const history = [event(a, 1, 1, 1), event(b, 1, 5, 5), event(a, 2, 2, 3), event(a, 3, 0, 3, 'LimitReached'), event(a, 4, 4, 7), event(c, 1, 9, 9), event(b, 2, 1, 6)];
    const { pool } = pipeline.runtime;
    await countersProjection.applyAll!(history.slice(0, 4), pool, schemas.batched);
    await countersProjection.applyAll!(history.slice(4), pool, schemas.batched);
    for (const e of history) await countersProjection.apply(e, pool, schemas.oneByOne);
    const batched = await rowsOf(schemas.batched);
    expect(batched).toEqual(await rowsOf(schemas.oneByOne));
    expect(batched.find((r) => r.counter_uuid === a)).toEqual({ counter_uuid: a, total: 7, applied: 3, last_version: 4 });
  });

  it('refuses, writing nothing, an event older than the row or out of order within the chunk', async () => {
    const counter = randomUUID();
    const { pool } = pipeline.runtime;
    await countersProjection.applyAll!([event(counter, 1, 1, 1), event(counter, 2, 1, 2)], pool, schemas.batched);
    const before = await rowsOf(schemas.batched);
    await expect(countersProjection.applyAll!([event(counter, 2, 1, 2)], pool, schemas.batched)).rejects.toThrow(`counter ${counter}: version 2 after 2`);
    await expect(countersProjection.applyAll!([event(counter, 4, 1, 4), event(counter, 3, 1, 3)], pool, schemas.batched)).rejects.toThrow(`counter ${counter}: version 3 after 4`);
    await expect(countersProjection.applyAll!([event(counter, 3, 13, 15)], pool, schemas.batched)).rejects.toThrow('unlucky increment');
    expect(await rowsOf(schemas.batched)).toEqual(before);
  });
});
