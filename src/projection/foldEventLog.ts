import type { Projection } from '../core/index.ts';
import { inTransaction, readAllEvents, unsealEvents, type Pool, type PoolClient } from '../eventlog/index.ts';
import type { Runtime } from '../runtime.ts';
import { inTodaysShape } from './todaysShape.ts';

/** Builds a projection into `schema` of the read database straight from the Postgres event log, with no Kafka in between. */
export async function foldEventLogInto(runtime: Runtime, projection: Projection, schema: string): Promise<void> {
  const streamTypes = projection.sources.map((name) => runtime.domainNamed(name).aggregateType);
  const events = await inTodaysShape(runtime.codec, await unsealEvents(runtime.pool, await readAllEvents(runtime.pool, streamTypes), runtime.codec.personalFields));
  await inTransaction(runtime.readPool, async (client) => {
    await client.query(`drop schema if exists ${client.escapeIdentifier(schema)} cascade`);
    await client.query(`create schema ${client.escapeIdentifier(schema)}`);
    await projection.setup(client, schema);
    for (const event of events) await projection.apply(event, client, schema);
  });
}

export interface TableDigest {
  readonly rows: number;
  readonly checksum: string;
}

/** Row count and an order-independent checksum of each of the projection's tables in `schema`. */
export async function tableDigests(db: Pool | PoolClient, projection: Projection, schema: string): Promise<Record<string, TableDigest>> {
  const digests: Record<string, TableDigest> = {};
  for (const table of projection.tables) {
    const { rows } = await db.query<{ rows: number; checksum: string | null }>(
      `select count(*)::int as rows, md5(coalesce(string_agg(md5(t::text), '' order by md5(t::text)), '')) as checksum
       from "${schema}".${table} t`,
    );
    digests[table] = { rows: rows[0]?.rows ?? 0, checksum: rows[0]?.checksum ?? '' };
  }
  return digests;
}
