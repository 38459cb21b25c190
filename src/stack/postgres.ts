import pg from 'pg';

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
