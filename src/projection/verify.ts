import type { Projection, RecordedEvent } from '../core/index.ts';
import { countEventsOlderThan, readEventsByUuid, readLeftOutEventUuids, readProjectedEventUuids, unsealEvents, type PoolClient } from '../eventlog/index.ts';
import type { Runtime } from '../runtime.ts';
import { ProjectionVersionError } from './errors.ts';
import { tableDigests, type TableDigest } from './foldEventLog.ts';
import { projectorNameOf, schemaOf, versionOf } from './names.ts';
import { inTodaysShape } from './todaysShape.ts';
import { findVersion } from './versions.ts';

const SAMPLE_ROWS = 5;

/** Events older than this that a version has not applied count as lost, not as lag. */
export const verifyGraceMs = 30_000;

export interface TableVerdict {
  readonly table: string;
  readonly version: TableDigest;
  readonly fold: TableDigest;
  readonly equal: boolean;
  /** The first rows the version has and the fold has not, and the other way round. */
  readonly onlyInVersion: Record<string, unknown>[];
  readonly onlyInFold: Record<string, unknown>[];
}

export interface Verification {
  readonly projection: string;
  readonly version: number;
  readonly passed: boolean;
  /** Events the version has applied, folded again from the event log. */
  readonly eventsFolded: number;
  /** Events skipped by an operator or parked by the policy: left out of the fold, on purpose. */
  readonly leftOut: number;
  /** Events of the log the version has not applied yet: lag while it runs, or loss. */
  readonly notYetProjected: number;
  /** Of those, events recorded before the grace period: a caught-up version should have them all. */
  readonly neverApplied: number;
  /** An aggregate's version the projection lacks while it has a later one: a lost event. */
  readonly gaps: { aggregateUuid: string; missingVersion: string }[];
  readonly foldError?: string;
  readonly tables: TableVerdict[];
}

/** First missing version per aggregate: an aggregate's applied events must be versions 1..n. */
export function findGaps(events: readonly Pick<RecordedEvent, 'aggregateUuid' | 'aggregateVersion'>[]) {
  const versions = new Map<string, bigint[]>();
  for (const e of events) versions.set(e.aggregateUuid, [...(versions.get(e.aggregateUuid) ?? []), e.aggregateVersion]);
  const gaps: { aggregateUuid: string; missingVersion: string }[] = [];
  for (const [aggregateUuid, list] of versions) {
    const sorted = [...new Set(list)].sort((a, b) => (a < b ? -1 : 1));
    const missing = sorted.findIndex((v, i) => v !== BigInt(i + 1));
    if (missing >= 0) gaps.push({ aggregateUuid, missingVersion: String(missing + 1) });
  }
  return gaps;
}

async function rowsOnlyIn(client: PoolClient, table: string, schema: string, other: string): Promise<Record<string, unknown>[]> {
  const [a, b] = [client.escapeIdentifier(schema), client.escapeIdentifier(other)];
  const { rows } = await client.query<{ row: Record<string, unknown> }>(
    `select to_jsonb(t) as row from ${a}.${client.escapeIdentifier(table)} t
     where md5(t::text) not in (select md5(o::text) from ${b}.${client.escapeIdentifier(table)} o)
     order by md5(t::text) limit ${SAMPLE_ROWS}`,
  );
  return rows.map((r) => r.row);
}

/**
 * The second seed's sanity check. In one repeatable-read snapshot of the read database, the
 * version's rows and the events it has applied are read together (a chunk commits both at once);
 * those events are folded again from the Postgres event log into a scratch schema in the same
 * transaction, and the two are compared per table: row count, checksum, the first differing rows.
 * The transaction is rolled back, so the scratch schema never outlives the check. Works while the
 * version keeps consuming. The result is recorded: cutover needs a passing one.
 */
export async function verifyVersion(
  runtime: Runtime,
  projection: Projection,
  version?: number,
  options: { graceMs?: number } = {},
): Promise<Verification> {
  const at = versionOf(projection, version);
  const known = await findVersion(runtime.readPool, projection.name, at.version);
  if (!known || known.status === 'retired') {
    throw new ProjectionVersionError(
      'UNKNOWN_VERSION',
      `${projection.name} has no version ${at.version} to verify${known ? ' (it was retired)' : ''}; build it first: streamfold replay ${projection.name} --version ${at.version}`,
    );
  }
  const projector = projectorNameOf(at);
  const schema = schemaOf(at);
  const scratch = `${schema}_verify`;
  const client = await runtime.readPool.connect();
  let verification: Verification;
  try {
    await client.query('begin isolation level repeatable read');
    const projected = await readProjectedEventUuids(client, projector);
    const leftOut = new Set(await readLeftOutEventUuids(client, projector));
    const events = await unsealEvents(runtime.pool, await readEventsByUuid(runtime.pool, [...new Set([...projected, ...leftOut])]), runtime.codec.personalFields);
    const folded = await inTodaysShape(runtime.codec, events.filter((e) => !leftOut.has(e.eventUuid)));

    await client.query(`create schema ${client.escapeIdentifier(scratch)}`);
    await projection.setup(client, scratch);
    let foldError: string | undefined;
    try {
      for (const event of folded) await projection.apply(event, client, scratch);
    } catch (error) {
      foldError = `folding the event log fails: ${error instanceof Error ? error.message : String(error)}`;
    }
    const tables: TableVerdict[] = [];
    if (!foldError) {
      const mine = await tableDigests(client, projection, schema);
      const fold = await tableDigests(client, projection, scratch);
      for (const table of projection.tables) {
        const [v, f] = [mine[table] as TableDigest, fold[table] as TableDigest];
        const equal = v.rows === f.rows && v.checksum === f.checksum;
        tables.push({
          table,
          version: v,
          fold: f,
          equal,
          onlyInVersion: equal ? [] : await rowsOnlyIn(client, table, schema, scratch),
          onlyInFold: equal ? [] : await rowsOnlyIn(client, table, scratch, schema),
        });
      }
    }
    // A topic that lost events (retention) leaves no gap when whole aggregates are gone: count them.
    const streamTypes = projection.sources.map((name) => runtime.domainNamed(name).aggregateType);
    const inLog = await countEventsOlderThan(runtime.pool, streamTypes, options.graceMs ?? verifyGraceMs);
    const cutoff = inLog.cutoff.getTime();
    const neverApplied = Math.max(0, inLog.old - events.filter((e) => new Date(e.recordedAt).getTime() < cutoff).length);
    const gaps = findGaps(events);
    verification = {
      projection: projection.name,
      version: at.version,
      passed: !foldError && gaps.length === 0 && neverApplied === 0 && tables.every((t) => t.equal),
      eventsFolded: folded.length,
      leftOut: leftOut.size,
      notYetProjected: Math.max(0, inLog.total - events.length),
      neverApplied,
      gaps: gaps.slice(0, SAMPLE_ROWS),
      ...(foldError ? { foldError } : {}),
      tables,
    };
  } finally {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
  await runtime.readPool.query(
    `update projection_versions set verified_at = case when $3 then now() end, verification = $4 where projection = $1 and version = $2`,
    [projection.name, at.version, verification.passed, JSON.stringify(summaryOf(verification))],
  );
  return verification;
}

/** What projection_versions keeps of a verification: enough to show, without the sample rows. */
const summaryOf = (v: Verification) => ({
  passed: v.passed,
  eventsFolded: v.eventsFolded,
  leftOut: v.leftOut,
  gaps: v.gaps.length,
  neverApplied: v.neverApplied,
  tables: Object.fromEntries(v.tables.map((t) => [t.table, { ...t.version, equal: t.equal }])),
  at: new Date().toISOString(),
});
