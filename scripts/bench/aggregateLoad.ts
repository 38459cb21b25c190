import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { CommandEnvelope, Domain } from '../../src/core/index.ts';
import { inTransaction } from '../../src/eventlog/index.ts';
import { handleChunk } from '../../src/worker/handleChunk.ts';
import { loadStates } from '../../src/worker/loadStates.ts';
import { StateCache } from '../../src/worker/stateCache.ts';
import { isolatedPipeline, projectRoot } from '../../test/support/isolatedPipeline.ts';
import { percentile } from './stats.ts';

/** Loading one aggregate with a long stream, cache cold, with and without its snapshots. */
export async function aggregateLoad(events: number, loads: number): Promise<Record<string, number>> {
  const pipeline = await isolatedPipeline('load', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 1 });
  try {
    const { runtime } = pipeline;
    const domain = runtime.config.domains[0] as Domain;
    const counter = randomUUID();
    const increment = (): CommandEnvelope => ({
      commandType: 'Increment',
      commandUuid: randomUUID(),
      aggregateType: 'Counter',
      aggregateUuid: counter,
      data: { counter_uuid: counter, by: 1 },
      metadata: { issuedAt: new Date().toISOString(), issuedBy: 'bench', role: 'bench', correlationId: randomUUID() },
    });
    const cache = new StateCache<unknown>(10);
    for (let done = 0; done < events; done += 1000) {
      const items = Array.from({ length: Math.min(1000, events - done) }, () => ({ domain, command: increment() }));
      await inTransaction(runtime.pool, (client) => handleChunk(client, items, runtime.codec, cache));
    }
    const time = async (subject: Domain) => {
      const samples: number[] = [];
      for (let i = 0; i < loads; i++) {
        const started = performance.now();
        const loaded = await inTransaction(runtime.pool, (client) => loadStates(client, subject, [counter], runtime.codec));
        samples.push(performance.now() - started);
        if (loaded.get(counter)?.version !== BigInt(events)) throw new Error('the load returned the wrong version');
      }
      return samples;
    };
    const withSnapshots = await time(domain);
    const withoutSnapshots = await time({ ...domain, snapshots: undefined });
    return {
      snapshotP50: percentile(withSnapshots, 50),
      snapshotP99: percentile(withSnapshots, 99),
      fullP50: percentile(withoutSnapshots, 50),
      fullP99: percentile(withoutSnapshots, 99),
    };
  } finally {
    await pipeline.cleanup();
  }
}
