import type { Projection } from '../core/index.ts';
import type { PoolClient } from '../eventlog/index.ts';
import { stableSchemaOf } from './names.ts';

/**
 * Points the stable schema's views at `schema`'s tables, inside the caller's transaction: a reader
 * sees the old version's tables or the new one's, never neither (a query that waited on the swap
 * looks the view up again after it). Drop and create, not `create or replace`: a new version may
 * change a table's columns, which `create or replace view` refuses.
 */
export async function pointViewsAt(client: PoolClient, projection: Pick<Projection, 'name' | 'tables'>, schema: string): Promise<void> {
  const stable = client.escapeIdentifier(stableSchemaOf(projection));
  await client.query(`create schema if not exists ${stable}`);
  const { rows } = await client.query<{ name: string }>(`select table_name as name from information_schema.views where table_schema = $1`, [
    stableSchemaOf(projection),
  ]);
  // A table the new version no longer has must not keep serving the old version's rows.
  for (const { name } of rows) {
    if (!projection.tables.includes(name)) await client.query(`drop view ${stable}.${client.escapeIdentifier(name)}`);
  }
  for (const table of projection.tables) {
    const view = `${stable}.${client.escapeIdentifier(table)}`;
    await client.query(`drop view if exists ${view}`);
    await client.query(`create view ${view} as select * from ${client.escapeIdentifier(schema)}.${client.escapeIdentifier(table)}`);
  }
}
