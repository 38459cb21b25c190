import pg from 'pg';
import { StreamfoldError, type CoreErrorCode } from '../core/index.ts';
import { EventLogError } from './errors.ts';

/** The same server's URL with another database. */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The database a URL names. */
export const databaseNameOf = (databaseUrl: string) => decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));

const redacted = (databaseUrl: string) => databaseUrl.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

function unreachable(databaseUrl: string, cause: unknown): EventLogError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new EventLogError(
    'POSTGRES_UNREACHABLE',
    `No PostgreSQL server answers at ${redacted(databaseUrl)} (${reason}). Get one by: ` +
      'starting the machine\'s service (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), ' +
      'or `docker compose up -d postgres`, ' +
      'or pointing DATABASE_URL at a server you have.',
    true,
    { cause },
  );
}

/** Runs work on a client of the server's maintenance database (`postgres`): creating and dropping databases. */
async function onServer<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(databaseUrl, 'postgres'), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw unreachable(databaseUrl, error);
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether the server of `databaseUrl` has a database of this name. */
export async function databaseExists(databaseUrl: string, database: string): Promise<boolean> {
  return onServer(databaseUrl, async (client) => (await client.query('select 1 from pg_database where datname = $1', [database])).rowCount === 1);
}

/** Creates the database named by the URL if it does not exist yet; idempotent. */
export async function ensureDatabase(databaseUrl: string): Promise<'created' | 'exists'> {
  const database = databaseNameOf(databaseUrl);
  if (!database) throw new StreamfoldError<CoreErrorCode>('CONFIGURATION', `DATABASE_URL ${redacted(databaseUrl)} names no database; add one, e.g. /streamfold.`);
  return onServer(databaseUrl, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount) return 'exists';
    try {
      await client.query(`create database ${client.escapeIdentifier(database)}`);
    } catch (error) {
      // Another process may have created it between our check and our create.
      if ((error as { code?: string }).code !== '42P04') throw error;
      return 'exists';
    }
    return 'created';
  });
}

/** Drops a database of the server of `databaseUrl`, closing its connections; nothing when it does not exist. */
export async function dropDatabase(databaseUrl: string, database: string): Promise<void> {
  await onServer(databaseUrl, (client) => client.query(`drop database if exists ${client.escapeIdentifier(database)} with (force)`));
}
