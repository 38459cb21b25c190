import pg from 'pg';
import { StackError } from './errors.ts';

function maintenanceUrl(databaseUrl: string): { url: string; database: string } {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new Error(`DATABASE_URL ${databaseUrl} names no database; add one, e.g. /streamfold.`);
  url.pathname = '/postgres';
  return { url: url.toString(), database };
}

const redacted = (databaseUrl: string) => databaseUrl.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

function unreachable(databaseUrl: string, cause: unknown): StackError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StackError(
    'POSTGRES_UNREACHABLE',
    `No PostgreSQL server answers at ${redacted(databaseUrl)} (${reason}). Get one by: ` +
      'starting the machine\'s service (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), ' +
      'or `docker compose up -d postgres`, ' +
      'or pointing DATABASE_URL at a server you have.',
    { cause },
  );
}

/** Creates the database named by the URL if it does not exist yet; idempotent. */
export async function ensureDatabase(databaseUrl: string): Promise<'created' | 'exists'> {
  const { url, database } = maintenanceUrl(databaseUrl);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw unreachable(databaseUrl, error);
  }
  try {
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
  } finally {
    await client.end();
  }
}

export async function postgresHealthy(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The JDBC form of a postgres:// URL with another database, for the Java registry. */
export function jdbcUrlFor(databaseUrl: string, database: string) {
  const url = new URL(databaseUrl);
  return {
    jdbcUrl: `jdbc:postgresql://${url.hostname}:${url.port || '5432'}/${database}${url.search}`,
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
  };
}

export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
