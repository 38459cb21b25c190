import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import pg from 'pg';
import type { Projection, RecordedEvent } from '../core/index.ts';
import { readSettings } from '../config/settings.ts';
import { createPool, type Pool, type PoolClient } from '../eventlog/index.ts';

/**
 * An event as a projection spec takes it: the event's type and data, and any envelope field
 * the projection reads (aggregateUuid, recordedAt, ...). The rest is filled in: a fresh event
 * uuid, versions counting up per aggregate, a fixed time.
 */
export type SpecEvent = { readonly type: string; readonly data: object } & Partial<Omit<RecordedEvent, 'eventType' | 'data'>>;

/** Expected rows per table. Dates may be given as ISO strings; bigint columns as bigints. */
export type ExpectedRows = Readonly<Record<string, readonly Record<string, unknown>[]>>;

const specAggregate = '00000000-0000-4000-8000-00000000a991';
const specTime = '2024-09-02T08:00:00.000Z';

/** Turns spec events into recorded envelopes, numbering versions per aggregate like the event log does. */
export function recordedEvents(events: readonly SpecEvent[], versions = new Map<string, bigint>()): RecordedEvent[] {
  return events.map((e) => {
    const aggregateUuid = e.aggregateUuid ?? specAggregate;
    const version = e.aggregateVersion ?? (versions.get(aggregateUuid) ?? 0n) + 1n;
    versions.set(aggregateUuid, version);
    const eventUuid = e.eventUuid ?? randomUUID();
    return {
      eventType: e.type,
      eventUuid,
      aggregateType: e.aggregateType ?? 'Spec',
      aggregateUuid,
      aggregateVersion: version,
      causedBy: e.causedBy ?? { commandType: 'Spec', commandUuid: eventUuid },
      correlationId: e.correlationId ?? eventUuid,
      recordedAt: e.recordedAt ?? specTime,
      data: e.data as Record<string, unknown>,
    };
  });
}

/** A comparable form of a row: Dates as ISO strings, so expectations can be written either way. */
const normalised = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
const sortKey = (row: Record<string, unknown>) => inspect(row, { depth: 8, sorted: true, breakLength: Infinity });
/** Tables are sets of rows: order never matters. */
const asSet = (rows: readonly Record<string, unknown>[]) => rows.map(normalised).sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));

async function tableRows(client: PoolClient, projection: Projection, schema: string): Promise<Record<string, Record<string, unknown>[]>> {
  const rows: Record<string, Record<string, unknown>[]> = {};
  for (const table of projection.tables) {
    rows[table] = (await client.query(`select * from ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`)).rows;
  }
  return rows;
}

/**
 * Given events, when events, then rows (`thenRows`, not `then`: an object with a `then` method
 * would be taken for a promise by `await`) — a projection tested on real Postgres. Each run builds
 * the projection's tables in a schema of its own inside one transaction and rolls it back, so
 * specs leave nothing behind and can run side by side on any database.
 *
 *   const spec = projectionSpecification(rosterView);
 *   await spec.given([periodAdded]).when([studentEnrolled]).thenRows({ enrollments: [{ ... }] });
 *   await spec.given([periodAdded]).when([alreadyEnrolled]).thenUnchanged();
 *   await spec.close();
 */
export function projectionSpecification(projection: Projection, options: { pool?: Pool; databaseUrl?: string } = {}) {
  let owned: Pool | undefined;
  const pool = () => options.pool ?? (owned ??= createPool(options.databaseUrl ?? readSettings().databaseUrl, 4));

  /** Runs the spec in a rolled-back transaction; returns the rows before and after the `when` events. */
  const run = async (given: readonly SpecEvent[], when: readonly SpecEvent[]) => {
    const client = await pool().connect();
    const schema = `spec_${projection.name}_${randomBytes(4).toString('hex')}`.slice(0, 63);
    try {
      await client.query('begin');
      await client.query(`create schema ${pg.escapeIdentifier(schema)}`);
      await projection.setup(client, schema);
      const versions = new Map<string, bigint>();
      for (const event of recordedEvents(given, versions)) await projection.apply(event, client, schema);
      const before = await tableRows(client, projection, schema);
      for (const event of recordedEvents(when, versions)) await projection.apply(event, client, schema);
      return { before, after: await tableRows(client, projection, schema) };
    } finally {
      await client.query('rollback').catch(() => undefined);
      client.release();
    }
  };

  const outcome = (given: readonly SpecEvent[], when: readonly SpecEvent[]) => ({
    /** Exactly these rows in each named table (in any order), and no other row there. */
    thenRows: async (expected: ExpectedRows): Promise<void> => {
      const unknown = Object.keys(expected).filter((t) => !projection.tables.includes(t));
      assert.equal(unknown.length, 0, `${projection.name} has no table ${unknown.join(', ')}; its tables are ${projection.tables.join(', ')}`);
      const { after } = await run(given, when);
      for (const [table, rows] of Object.entries(expected)) {
        assert.deepStrictEqual(asSet(after[table] ?? []), asSet(rows), `rows of ${projection.name}.${table}`);
      }
    },
    /** The negative assertion: the `when` events changed no row of any table. */
    thenUnchanged: async (): Promise<void> => {
      const { before, after } = await run(given, when);
      for (const table of projection.tables) {
        assert.deepStrictEqual(asSet(after[table] ?? []), asSet(before[table] ?? []), `${projection.name}.${table} changed`);
      }
    },
  });

  return {
    given: (given: readonly SpecEvent[]) => ({
      ...outcome([], given),
      when: (when: readonly SpecEvent[]) => outcome(given, when),
    }),
    /** Ends the pool the spec made for itself (none when one was passed in). */
    close: async () => {
      await owned?.end();
      owned = undefined;
    },
  };
}
