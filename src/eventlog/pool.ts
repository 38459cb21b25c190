import pg from 'pg';

/**
 * Postgres bigint (int8) arrives as a string by default; versions and positions are bigints. The
 * parser is given to streamfold's pools only: `pg.types.setTypeParser` would change every pg
 * client of the host process.
 */
export const streamfoldTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary' ? (value: string) => BigInt(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** The one place a pool is made; everything else borrows clients from it. */
export function createPool(databaseUrl: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, types: streamfoldTypes });
  // A client losing its server (a restart) must not crash the process. The pool re-emits an idle
  // client's error on itself; a checked-out client's, lost between two queries, is emitted on the
  // client, so every client gets a listener too. Its next query fails, and the pool drops it on release.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
