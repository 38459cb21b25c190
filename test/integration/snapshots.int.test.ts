import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandEnvelope, Domain } from '../../src/core/index.ts';
import { inTransaction } from '../../src/eventlog/index.ts';
import { handleChunk } from '../../src/worker/handleChunk.ts';
import { deciderVersionOf, loadStates } from '../../src/worker/loadStates.ts';
import { StateCache } from '../../src/worker/stateCache.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

describe('snapshots of long streams (the counter fixture snapshots every 100 events)', () => {
  let pipeline: IsolatedPipeline;
  let domain: Domain;
  const counter = randomUUID();

  const increment = (by: number): CommandEnvelope => ({
    commandType: 'Increment',
    commandUuid: randomUUID(),
    aggregateType: 'Counter',
    aggregateUuid: counter,
    data: { counter_uuid: counter, by },
    metadata: { issuedAt: '2026-01-01T00:00:00.000Z', issuedBy: 'test', role: 'test', correlationId: randomUUID() },
  });

  beforeAll(async () => {
    pipeline = await isolatedPipeline('snap', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 1 });
    domain = pipeline.config.domains[0]!;
    // 250 events in chunks of 60, each chunk on a cold cache so every one loads from the log.
    for (let done = 0; done < 250; done += 60) {
      const items = Array.from({ length: Math.min(60, 250 - done) }, () => ({ domain, command: increment(1) }));
      await inTransaction(pipeline.runtime.pool, (client) => handleChunk(client, items, pipeline.runtime.codec, new StateCache(10)));
    }
  });
  afterAll(async () => pipeline?.cleanup());

  it('keeps the latest snapshot at the last multiple of `every` crossed, under the decider version', async () => {
    const { rows } = await pipeline.runtime.pool.query('select decider_version, version, state from snapshots where stream_id = $1', [counter]);
    expect(rows).toEqual([{ decider_version: deciderVersionOf(domain), version: 240n, state: { total: 240 } }]);
    expect(deciderVersionOf(domain)).toMatch(/^1:[0-9a-f]{12}$/);
  });

  it('loads snapshot + tail to the same state as a fold of the whole stream', async () => {
    const loaded = await inTransaction(pipeline.runtime.pool, (client) => loadStates(client, domain, [counter], pipeline.runtime.codec));
    expect(loaded.get(counter)).toEqual({ version: 250n, state: { total: 250 } });
    const withoutSnapshots = { ...domain, snapshots: undefined };
    const folded = await inTransaction(pipeline.runtime.pool, (client) => loadStates(client, withoutSnapshots, [counter], pipeline.runtime.codec));
    expect(folded.get(counter)).toEqual(loaded.get(counter));
  });

  it('never feeds a changed decider an old snapshot', async () => {
    // A poisoned snapshot under today's key would show up in the state; a changed evolve must not read it.
    await pipeline.runtime.pool.query(`update snapshots set state = '{"total": -1}', version = 250 where stream_id = $1`, [counter]);
    const poisoned = await inTransaction(pipeline.runtime.pool, (client) => loadStates(client, domain, [counter], pipeline.runtime.codec));
    expect(poisoned.get(counter)).toEqual({ version: 250n, state: { total: -1 } }); // today's decider reads it
    const changed: Domain = { ...domain, decider: { ...domain.decider, evolve: (state, event) => domain.decider.evolve(state, event) } };
    expect(deciderVersionOf(changed)).not.toBe(deciderVersionOf(domain));
    const fresh = await inTransaction(pipeline.runtime.pool, (client) => loadStates(client, changed, [counter], pipeline.runtime.codec));
    expect(fresh.get(counter)).toEqual({ version: 250n, state: { total: 250 } });
  });
});
