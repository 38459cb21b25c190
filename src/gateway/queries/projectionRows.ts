import pg from 'pg';
import type { Projection } from '../../core/index.ts';
import type { StreamfoldConfig } from '../../config/streamfoldConfig.ts';
import type { Pool } from '../../eventlog/index.ts';
import { schemaOf } from '../../projection/names.ts';
import { HttpError } from '../http.ts';

/** The projection named in the path, from the config; the name never reaches SQL. */
export function projectionNamed(config: StreamfoldConfig, name: string): Projection {
  const found = config.projections.find((p) => p.name === name);
  if (!found) {
    const known = config.projections.map((p) => p.name).join(', ') || 'none';
    throw new HttpError(404, `no projection named ${JSON.stringify(name.slice(0, 100))}; the config has ${known}`);
  }
  return found;
}

/** The version readers see: the live one in projection_versions, or the code's when none went live yet. */
export async function readableVersion(readPool: Pool, projection: Projection, asked: bigint | undefined): Promise<number> {
  if (asked !== undefined) return Number(asked);
  const { rows } = await readPool.query<{ version: number }>(`select version from projection_versions where projection = $1 and status = 'live'`, [projection.name]);
  return rows[0]?.version ?? projection.version;
}

interface Column {
  readonly name: string;
  readonly type: string;
}

async function describeTable(readPool: Pool, schema: string, table: string) {
  const { rows: columns } = await readPool.query<Column & Record<string, unknown>>(
    `select column_name as name, data_type as type from information_schema.columns
     where table_schema = $1 and table_name = $2 order by ordinal_position`,
    [schema, table],
  );
  const { rows: key } = await readPool.query<{ name: string }>(
    `select a.attname as name
     from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
     where i.indrelid = to_regclass(format('%I.%I', $1::text, $2::text)) and i.indisprimary
     order by array_position(i.indkey, a.attnum)`,
    [schema, table],
  );
  return { columns, key: key.map((k) => k.name) };
}

/** Opaque to clients: the last row's primary key, or an offset when the table has none. */
type Cursor = { k: string[] } | { o: number };

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(raw: string, keyLength: number): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if ('k' in cursor && Array.isArray(cursor.k) && cursor.k.length === keyLength && cursor.k.every((v) => typeof v === 'string')) return cursor;
    if ('o' in cursor && Number.isInteger(cursor.o) && cursor.o >= 0 && keyLength === 0) return cursor;
  } catch {
    // Falls through to the refusal below.
  }
  throw new HttpError(400, 'after= is not a cursor this gateway made; take it from the previous page\'s next link', ['after: not a cursor']);
}

const cellText = (value: unknown) => (value instanceof Date ? value.toISOString() : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

export interface RowsPage {
  readonly projection: string;
  readonly version: number;
  readonly table: string;
  readonly columns: readonly Column[];
  readonly rows: Record<string, unknown>[];
  readonly nextAfter: string | undefined;
}

export interface RowsQuery {
  readonly limit: number;
  readonly after?: string;
  readonly version?: bigint;
  /** Column equality filters; every column is checked against the table's own. */
  readonly where: ReadonlyMap<string, string>;
}

/**
 * A page of a projection table, in primary key order. Schema, table and column names come from
 * the config and the Postgres catalog and are quoted; everything from the request is a parameter.
 */
export async function readProjectionRows(readPool: Pool, config: StreamfoldConfig, name: string, table: string, query: RowsQuery): Promise<RowsPage> {
  const projection = projectionNamed(config, name);
  if (!projection.tables.includes(table)) {
    throw new HttpError(404, `${projection.name} has no table ${JSON.stringify(table.slice(0, 100))}; its tables are ${projection.tables.join(', ')}`);
  }
  const version = await readableVersion(readPool, projection, query.version);
  const schema = schemaOf({ name: projection.name, version });
  const { columns, key } = await describeTable(readPool, schema, table);
  if (columns.length === 0) throw new HttpError(404, `${schema}.${table} does not exist yet: no projector has built version ${version} of ${projection.name}`);

  const id = pg.escapeIdentifier;
  const params: unknown[] = [];
  const conditions: string[] = [];
  const problems = [...query.where.keys()].filter((c) => !columns.some((col) => col.name === c)).map((c) => `${c.slice(0, 100)}: not a column of ${table}`);
  if (problems.length > 0) throw new HttpError(400, `filters must name columns of ${table} (${columns.map((c) => c.name).join(', ')})`, problems);
  for (const [column, value] of query.where) {
    params.push(value);
    conditions.push(`${id(column)}::text = $${params.length}`);
  }
  const cursor = query.after ? decodeCursor(query.after, key.length) : undefined;
  if (cursor && 'k' in cursor) {
    const placeholders = cursor.k.map((value) => {
      params.push(value);
      return `$${params.length}`;
    });
    conditions.push(`(${key.map(id).join(', ')}) > (${placeholders.join(', ')})`);
  }
  const order = key.length > 0 ? key.map(id).join(', ') : columns.map((_, i) => String(i + 1)).join(', ');
  const offset = cursor && 'o' in cursor ? cursor.o : 0;
  params.push(query.limit + 1, offset);
  const sql = `select * from ${id(schema)}.${id(table)} ${conditions.length > 0 ? `where ${conditions.join(' and ')}` : ''}
    order by ${order} limit $${params.length - 1} offset $${params.length}`;
  let rows: Record<string, unknown>[];
  try {
    rows = (await readPool.query<Record<string, unknown>>(sql, params)).rows;
  } catch (error) {
    // A cursor or filter value the column's type cannot read (invalid input syntax, out of range).
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('22')) throw new HttpError(400, `a filter or cursor value does not fit its column: ${(error as Error).message}`);
    throw error;
  }
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  let nextAfter: string | undefined;
  if (rows.length > query.limit && last) nextAfter = encodeCursor(key.length > 0 ? { k: key.map((k) => cellText(last[k])) } : { o: offset + query.limit });
  return { projection: projection.name, version, table, columns, rows: page, nextAfter };
}
