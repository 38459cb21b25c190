import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/core/index.ts';
import { appliedOffsets } from '../../src/eventlog/index.ts';
import { applyChunk, type ChunkTarget, type Delivery } from '../../src/projection/applyChunk.ts';
import { countersProjection } from '../fixtures/counter/counter.ts';
import { counterEvent as incremented } from '../fixtures/counter/recordedEvent.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

// The projector's chunk records how far it got in the statement that marks its events: these are
// the rules that offset keeps, on real Postgres.
describe("a projector's chunk and its applied offset (applyChunk) on real Postgres", () => {
  let pipeline: IsolatedPipeline;
  const schema = `ac_${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    pipeline = await isolatedPipeline('applychunk', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 1 });
    await pipeline.runtime.readPool.query(`create schema "${schema}"`);
    await countersProjection.setup(pipeline.runtime.readPool, schema);
  });
  afterAll(async () => {
    await pipeline?.runtime.readPool.query(`drop schema if exists "${schema}" cascade`);
    await pipeline?.cleanup();
  });

  const target = (projector: string): ChunkTarget => ({
    projection: countersProjection,
    projector,
    schema,
    policy: 'halt',
    retry: { attempts: 1, initialMs: 1, factor: 1, maxMs: 1 },
    log: () => undefined,
  });
  const delivered = (events: RecordedEvent[], firstOffset: number): Delivery[] => events.map((event, i) => ({ event, topic: 't', partition: 0, offset: String(firstOffset + i) }));
  /** As the projector computes it: the halting event's offset, else one past the chunk's last. */
  const nextOffset = (chunk: Delivery[]) => (halted: Delivery | undefined) => ({ topic: 't', partition: 0, next: BigInt(halted?.offset ?? Number(chunk.at(-1)!.offset) + 1) });
  const apply = (projector: string, chunk: Delivery[]) => applyChunk(pipeline.runtime.readPool, target(projector), chunk, nextOffset(chunk));
  const offsetOf = async (projector: string) => (await appliedOffsets(pipeline.runtime.readPool, [projector])).get(projector)?.map((o) => o.next);
  const totalOf = async (counter: string) =>
    (await pipeline.runtime.readPool.query(`select total::int, applied from "${schema}".counters where counter_uuid = $1`, [counter])).rows[0];

  it('records the offset with the events, never moves it back, and moves it on for a chunk of copies already applied', async () => {
    const projector = `counters_${randomUUID().slice(0, 8)}`;
    const counter = randomUUID();
    const events = [incremented(counter, 1, 1, 1), incremented(counter, 2, 2, 3)];
    await apply(projector, delivered(events, 10));
    expect(await offsetOf(projector)).toEqual([12n]);
    // A zombie's late chunk from before: applies nothing again and leaves the offset where it was.
    await apply(projector, delivered(events.slice(0, 1), 10));
    expect(await offsetOf(projector)).toEqual([12n]);
    // Copies of the same events further on (a worker republished them): nothing applied, the offset moves.
    await apply(projector, delivered(events, 12));
    expect(await offsetOf(projector)).toEqual([14n]);
    expect(await totalOf(counter)).toEqual({ total: 3, applied: 2 });
  });

  it('records the halting event as the offset when a chunk halts, and nothing of the failed whole-chunk try', async () => {
    const projector = `counters_${randomUUID().slice(0, 8)}`;
    const counter = randomUUID();
    const chunk = delivered([incremented(counter, 1, 1, 1), incremented(counter, 2, 13, 14), incremented(counter, 3, 1, 15)], 20);
    const halted = await apply(projector, chunk);
    expect(halted?.offset).toBe('21');
    // The first try recorded 23 with the marks; it rolled back whole, and the second try recorded 21.
    expect(await offsetOf(projector)).toEqual([21n]);
    expect(await totalOf(counter)).toEqual({ total: 1, applied: 1 });
  });
});
