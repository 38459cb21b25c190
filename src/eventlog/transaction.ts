import type { Pool, PoolClient } from './pool.ts';

/** Runs work in one transaction on one client: BEGIN, COMMIT or ROLLBACK, release in finally. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Runs work on one client outside any transaction: each statement commits on its own. For work
 * whose one write is a single statement (atomic by itself), this saves the BEGIN and COMMIT round
 * trips a transaction would add.
 */
export async function onOneClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failed = false;
  try {
    return await work(client);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // After a failure the connection is closed rather than trusted again (it may have been cut
    // mid-query); failures are rare here — a redelivery, a conflict — and a new one costs little.
    client.release(failed);
  }
}

let savepoints = 0;

/**
 * Runs work inside a savepoint, so its failure undoes only its own writes. Each savepoint has a
 * name of its own: with one shared name, a nested rollback would stop at the inner savepoint.
 */
export async function inSavepoint<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  const name = `sp_${++savepoints}`;
  await client.query(`savepoint ${name}`);
  try {
    const result = await work();
    await client.query(`release savepoint ${name}`);
    return result;
  } catch (error) {
    await client.query(`rollback to savepoint ${name}`);
    throw error;
  }
}
