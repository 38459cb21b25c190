import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPool } from '../../src/eventlog/index.ts';
import 'streamfold';

const databaseUrl = process.env.DATABASE_URL as string;

describe('int8 parsing', () => {
  it('is bigint in the pools streamfold makes, and pg default (a string) for the host process', async () => {
    const pool = createPool(databaseUrl, 1);
    const host = new pg.Client({ connectionString: databaseUrl });
    await host.connect();
    try {
      const ours = await pool.query<{ n: unknown }>('select 9007199254740993::int8 as n');
      expect(ours.rows[0]?.n).toBe(9007199254740993n);
      const theirs = await host.query<{ n: unknown }>('select 9007199254740993::int8 as n');
      expect(theirs.rows[0]?.n).toBe('9007199254740993');
      expect(pg.types.getTypeParser(pg.types.builtins.INT8)('5')).toBe('5');
    } finally {
      await host.end();
      await pool.end();
    }
  });
});
