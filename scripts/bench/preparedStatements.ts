import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { appendAndArchive, markNewlyProjected, type PoolClient } from '../../src/eventlog/index.ts';
import { isolatedPipeline, projectRoot } from '../../test/support/isolatedPipeline.ts';
import { decidedCounterChunks } from './baselines.ts';

/**
 * The client as it was before the hot statements were named: the same query, sent unnamed, so
 * Postgres parses and plans it on every call. The real functions run either way.
 */
function unnamed(client: PoolClient): PoolClient {
  const query = (config: string | { name?: string; text: string; values?: unknown[] }, values?: unknown[]) =>
    typeof config === 'string' ? client.query(config, values) : client.query({ text: config.text, values: config.values });
  return { query } as unknown as PoolClient;
}

/** Mean µs per call of `run` over `calls` calls, after a warm-up that prepares the named statement. */
async function perCall(calls: number, run: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i++) await run(-1 - i);
  const started = performance.now();
  for (let i = 0; i < calls; i++) await run(i);
  return ((performance.now() - started) * 1000) / calls;
}

/**
 * The worker's append-and-archive and the projector's mark, each through its real function on
 * one connection of an isolated event log, prepared (as streamfold sends them) and unnamed, at
 * chunk sizes a steady load and a replay make: µs per statement.
 */
export async function preparedStatementCosts(calls: number): Promise<Record<string, number>> {
  const pipeline = await isolatedPipeline('prepared', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 1 });
  const client = await pipeline.runtime.pool.connect();
  try {
    const schemaId = pipeline.runtime.codec.schemaIdOf('Incremented');
    const measures: Record<string, number> = {};
    for (const size of [1, 10]) {
      for (const [label, on] of [['unnamed', unnamed(client)], ['prepared', client]] as const) {
        const chunks = decidedCounterChunks((calls + 5) * size, size, schemaId);
        measures[`append ${size} ${label}`] = await perCall(calls, (i) => appendAndArchive(on, chunks[i + 5] as never));
      }
    }
    for (const size of [1, 10, 1000]) {
      for (const [label, on] of [['unnamed', unnamed(client)], ['prepared', client]] as const) {
        const target = { projection: { name: 'counters' }, projector: `counters_${label}_${size}` };
        const offset = (i: number) => ({ topic: 'bench', partition: 0, next: BigInt(i + 10) });
        const n = size === 1000 ? Math.max(10, calls / 20) : calls;
        measures[`mark ${size} ${label}`] = await perCall(n, (i) => markNewlyProjected(on, target, Array.from({ length: size }, () => randomUUID()), offset(i)));
      }
    }
    return measures;
  } finally {
    client.release();
    await pipeline.cleanup();
  }
}
