import type { Projection } from '../core/index.ts';
import { inTransaction, type Pool, type PoolClient } from '../eventlog/index.ts';
import { schemaOf } from './names.ts';
import { pointViewsAt } from './stableViews.ts';

export type VersionStatus = 'replaying' | 'live' | 'superseded' | 'retired';

export interface ProjectionVersion {
  readonly projection: string;
  readonly version: number;
  readonly status: VersionStatus;
  readonly created_at: Date;
  readonly verified_at: Date | null;
  readonly verification: Record<string, unknown> | null;
  readonly live_since: Date | null;
  readonly retired_at: Date | null;
}

type Queryable = Pool | PoolClient;

/** Setup, cutover and retire of one projection's versions take this lock, so they never interleave. */
export async function lockProjection(client: PoolClient, name: string): Promise<void> {
  await client.query('select pg_advisory_xact_lock(hashtext($1))', [`projection.versions.${name}`]);
}

export async function listVersions(db: Queryable, projection?: string): Promise<ProjectionVersion[]> {
  const { rows } = await db.query<ProjectionVersion & Record<string, unknown>>(
    `select * from projection_versions where ($1::text is null or projection = $1) order by projection, version`,
    [projection ?? null],
  );
  return rows;
}

export async function findVersion(db: Queryable, projection: string, version: number): Promise<ProjectionVersion | undefined> {
  return (await listVersions(db, projection)).find((v) => v.version === version);
}

export async function liveVersion(db: Queryable, projection: string): Promise<ProjectionVersion | undefined> {
  return (await listVersions(db, projection)).find((v) => v.status === 'live');
}

/** Creates a version's schema and tables in the caller's transaction; idempotent. */
export async function createTables(client: PoolClient, projection: Projection, schema: string): Promise<void> {
  await client.query(`create schema if not exists ${client.escapeIdentifier(schema)}`);
  await projection.setup(client, schema);
}

/**
 * Creates the version's schema and tables and records the version; idempotent. The first version
 * of a projection goes live at once, so a new application serves reads with no cutover; a retired
 * version asked for again comes back as replaying, into an empty schema.
 */
export async function setupVersion(pool: Pool, projection: Projection, version: number): Promise<VersionStatus> {
  return inTransaction(pool, async (client) => {
    await lockProjection(client, projection.name);
    const schema = schemaOf({ name: projection.name, version });
    await createTables(client, projection, schema);
    await client.query(
      `insert into projection_versions (projection, version, status) values ($1, $2, 'replaying')
       on conflict (projection, version) do update
         set status = 'replaying', retired_at = null, verified_at = null, verification = null, live_since = null
         where projection_versions.status = 'retired'`,
      [projection.name, version],
    );
    const { rowCount: live } = await client.query(`select 1 from projection_versions where projection = $1 and status = 'live'`, [projection.name]);
    if (!live) {
      await client.query(`update projection_versions set status = 'live', live_since = now() where projection = $1 and version = $2`, [projection.name, version]);
      await pointViewsAt(client, projection, schema);
    }
    const { rows } = await client.query<{ status: VersionStatus }>(`select status from projection_versions where projection = $1 and version = $2`, [
      projection.name,
      version,
    ]);
    return rows[0]?.status ?? 'replaying';
  });
}
