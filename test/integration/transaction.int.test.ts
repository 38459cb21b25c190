import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/eventlog/index.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a transaction whose connection Postgres drops between two queries', () => {
  let pipeline: IsolatedPipeline;
  beforeAll(async () => {
    pipeline = await isolatedPipeline('txlost', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 1 });
  });
  afterAll(async () => pipeline?.cleanup());

  // As when Postgres restarts while a projector holds a transaction open (fault 5): the loss is
  // reported on the checked-out client, which used to crash the process with an unhandled 'error'.
  it('fails the transaction instead of the process, and the pool goes on', async () => {
    const { pool } = pipeline.runtime;
    const attempt = inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      await pool.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      await sleep(300);
      await client.query('select 1');
    });
    await expect(attempt).rejects.toThrow();
    const { rows } = await pool.query<{ one: number }>('select 1 as one');
    expect(rows[0]!.one).toBe(1);
  });
});
