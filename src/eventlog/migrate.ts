import fs from 'node:fs';
import path from 'node:path';
import { EventLogError } from './errors.ts';
import type { Pool } from './pool.ts';

const migrationsDir = path.join(import.meta.dirname, 'migrations');

/**
 * Applies the numbered SQL files in migrations/ that have not run yet, each in its own
 * transaction, under an advisory lock so two processes starting at once do not race.
 */
export async function migrate(pool: Pool): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', ['streamfold.migrate']);
    await client.query(`create table if not exists schema_migrations (
      version integer primary key, name text not null, applied_at timestamptz not null default now())`);
    const done = new Set((await client.query('select version from schema_migrations')).rows.map((r) => r.version));
    const files = fs.readdirSync(migrationsDir).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
    for (const file of files) {
      const version = Number(file.split('_')[0]);
      if (done.has(version)) continue;
      await client.query('begin');
      try {
        await client.query(fs.readFileSync(path.join(migrationsDir, file), 'utf8'));
        await client.query('insert into schema_migrations (version, name) values ($1, $2)', [version, file]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new EventLogError('MIGRATION_FAILED', `Migration ${file} failed: ${(error as Error).message}`, false, { cause: error });
      }
      applied.push(file);
    }
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', ['streamfold.migrate']).catch(() => undefined);
    client.release();
  }
  return applied;
}
