import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVersionConflict, type CommandEnvelope } from '../../src/core/index.ts';
import { CommandAlreadyProcessed, inTransaction, onOneClient, readStream } from '../../src/eventlog/index.ts';
import { handleChunk } from '../../src/worker/handleChunk.ts';
import { StateCache } from '../../src/worker/stateCache.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

describe("the worker's batched path (handleChunk) on real Postgres", () => {
  let pipeline: IsolatedPipeline;
  beforeAll(async () => {
    pipeline = await isolatedPipeline('chunk', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 1 });
  });
  afterAll(async () => pipeline?.cleanup());

  const increment = (counter: string, by: number, commandUuid = randomUUID()): CommandEnvelope => ({
    commandType: 'Increment',
    commandUuid,
    aggregateType: 'Counter',
    aggregateUuid: counter,
    data: { counter_uuid: counter, by },
    metadata: { issuedAt: '2026-01-01T00:00:00.000Z', issuedBy: 'test', role: 'test', correlationId: randomUUID() },
  });

  it('threads state through a chunk, numbers versions, and treats a repeated uuid as a duplicate', async () => {
    const { runtime } = pipeline;
    const domain = pipeline.config.domains[0]!;
    const [a, b] = [randomUUID(), randomUUID()];
    const repeated = increment(a, 2);
    const items = [increment(a, 1), increment(b, 5), repeated, increment(a, 3), repeated, increment(b, -1)].map((command) => ({ domain, command }));
    const results = await inTransaction(runtime.pool, (client) => handleChunk(client, items, runtime.codec, new StateCache(10)));
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'duplicate', 'invalid']);
    expect(results[4]?.events.map((e) => e.eventUuid)).toEqual(results[2]?.events.map((e) => e.eventUuid));
    const streamA = await readStream(runtime.pool, a);
    expect(streamA.map((e) => [e.aggregateVersion, e.data.total])).toEqual([[1n, 1], [2n, 3], [3n, 6]]);
    const { rows } = await runtime.pool.query('select outcome, reason from processed_commands where command_uuid = $1', [items[5]!.command.commandUuid]);
    expect(rows[0]).toEqual({ outcome: 'invalid', reason: 'by: must be positive, got -1' });

    // Delivered again in a later chunk: duplicates, re-publishing what was recorded.
    const again = await inTransaction(runtime.pool, (client) => handleChunk(client, items.slice(0, 2), runtime.codec, new StateCache(10)));
    expect(again.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate']);
    expect(again[0]?.events.map((e) => e.aggregateVersion)).toEqual([1n]);
  });

  it('raises a version conflict naming the stale stream and the version it was decided on, and writes nothing', async () => {
    const { runtime } = pipeline;
    const domain = pipeline.config.domains[0]!;
    const counter = randomUUID();
    await inTransaction(runtime.pool, (client) => handleChunk(client, [{ domain, command: increment(counter, 1) }], runtime.codec, new StateCache(10)));
    const stale = new StateCache<unknown>(10);
    stale.set(counter, 0n, { total: 0 });
    const late = increment(counter, 4);
    const fresh = randomUUID();
    const chunk = [increment(fresh, 2), late].map((command) => ({ domain, command }));
    const attempt = inTransaction(runtime.pool, (client) => handleChunk(client, chunk, runtime.codec, stale));
    await expect(attempt).rejects.toSatisfy(isVersionConflict);
    await expect(attempt).rejects.toMatchObject({ code: 'VERSION_CONFLICT', retriable: true, aggregateUuid: counter, expectedVersion: 0n });
    expect(await readStream(runtime.pool, fresh)).toEqual([]);
    const { rowCount } = await runtime.pool.query('select 1 from processed_commands where command_uuid = $1', [late.commandUuid]);
    expect(rowCount).toBe(0);
    expect((await readStream(runtime.pool, counter)).length).toBe(1);
  });

  it('without a transaction and without looking processed commands up, a redelivered command fails the whole chunk and nothing of it is written', async () => {
    const { runtime } = pipeline;
    const domain = pipeline.config.domains[0]!;
    const [done, fresh] = [randomUUID(), randomUUID()];
    const first = increment(done, 1);
    const once = await onOneClient(runtime.pool, (client) => handleChunk(client, [{ domain, command: first }], runtime.codec, new StateCache(10), undefined, { processedBefore: 'assumeNone' }));
    expect(once.map((r) => r.outcome)).toEqual(['accepted']);

    // The cache holds the state the first delivery made, so the redelivery is decided anew (version 2).
    const cache = new StateCache<unknown>(10);
    cache.set(done, 1n, once[0]!.newState!.state);
    const chunk = [increment(fresh, 2), first].map((command) => ({ domain, command }));
    const attempt = onOneClient(runtime.pool, (client) => handleChunk(client, chunk, runtime.codec, cache, undefined, { processedBefore: 'assumeNone' }));
    await expect(attempt).rejects.toBeInstanceOf(CommandAlreadyProcessed);
    expect(await readStream(runtime.pool, fresh)).toEqual([]);
    expect((await readStream(runtime.pool, done)).map((e) => e.aggregateVersion)).toEqual([1n]);

    // Looked up, the same chunk answers the redelivery as a duplicate with the events it recorded.
    const again = await inTransaction(runtime.pool, (client) => handleChunk(client, chunk, runtime.codec, new StateCache(10)));
    expect(again.map((r) => r.outcome)).toEqual(['accepted', 'duplicate']);
    expect(again[1]?.events.map((e) => e.eventUuid)).toEqual(once[0]?.events.map((e) => e.eventUuid));
  });
});
