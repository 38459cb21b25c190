import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/settings.ts';
import type { CommandEnvelope, RecordedEvent } from '../../src/core/index.ts';
import { databaseExists, dropDatabase, ensureDatabase, withDatabase } from '../../src/eventlog/database.ts';
import {
  appendToStream,
  claimCommand,
  correlationExists,
  countCommandsByOutcome,
  countEvents,
  countEventsByWriterSchema,
  countEventsOlderThan,
  countProjected,
  createPool,
  eventLogExists,
  forgetProjected,
  inTransaction,
  listFailures,
  markProjected,
  migrate,
  readCommandsOfCorrelation,
  readEventsAfter,
  readEventsOfCorrelation,
  readLastProjected,
  readLeftOutEventUuids,
  readLogHead,
  readProjectedEventUuids,
  readRecentEvents,
  readRecordedTimes,
  readStream,
  recordFailure,
  recordOutcome,
  resolveParkedFailure,
  streamExists,
  type Pool,
} from '../../src/eventlog/index.ts';

/** The event log's named queries against a database of their own: what the UI, gateway, status, verify and test kit now call. */
describe('the event log queries', () => {
  const databaseUrl = withDatabase(readSettings().databaseUrl, `sf_eventlog_${randomUUID().slice(0, 8)}`);
  const database = new URL(databaseUrl).pathname.slice(1);
  let pool: Pool;
  const stream = randomUUID();
  const correlationId = randomUUID();
  const command: CommandEnvelope = {
    commandType: 'Increment',
    commandUuid: randomUUID(),
    aggregateType: 'Counter',
    aggregateUuid: stream,
    data: { counter_uuid: stream, by: 1 },
    metadata: { issuedAt: '2026-01-01T00:00:00.000Z', issuedBy: 'test', role: 'test', correlationId },
  };
  let appended: RecordedEvent[] = [];

  beforeAll(async () => {
    expect(await ensureDatabase(databaseUrl)).toBe('created');
    pool = createPool(databaseUrl, 2);
    expect(await eventLogExists(pool)).toBe(false);
    await migrate(pool);
    appended = await inTransaction(pool, async (client) => {
      await claimCommand(client, command);
      const events = await appendToStream(
        client,
        { streamType: 'Counter', streamId: stream, expectedVersion: 0n, causedBy: { commandType: 'Increment', commandUuid: command.commandUuid }, correlationId },
        [1, 2, 3].map((n) => ({ eventUuid: randomUUID(), type: 'Incremented', schemaId: n === 3 ? 8 : 7, data: { total: n } })),
      );
      await recordOutcome(client, command.commandUuid, 'accepted', events.map((e) => e.eventUuid), null);
      return events;
    });
    await inTransaction(pool, (client) => claimCommand(client, { ...command, commandUuid: randomUUID() }));
  });
  afterAll(async () => {
    await pool?.end();
    await dropDatabase(databaseUrl, database);
    expect(await databaseExists(databaseUrl, database)).toBe(false);
  });

  it('reads streams, pages, the head and what follows a position', async () => {
    expect(await databaseExists(databaseUrl, database)).toBe(true);
    expect(await eventLogExists(pool)).toBe(true);
    expect(await streamExists(pool, stream)).toBe(true);
    expect(await streamExists(pool, randomUUID())).toBe(false);
    expect((await readStream(pool, stream)).map((e) => e.aggregateVersion)).toEqual([1n, 2n, 3n]);
    expect((await readStream(pool, stream, 1n, 1)).map((e) => e.aggregateVersion)).toEqual([2n]);
    const head = await readLogHead(pool);
    expect(head).toBe(appended.at(-1)?.position);
    expect((await readEventsAfter(pool, appended[0]?.position ?? 0n)).map((e) => e.aggregateVersion)).toEqual([2n, 3n]);
    expect((await readRecentEvents(pool, 2)).map((e) => e.aggregateVersion)).toEqual([3n, 2n]);
  });

  it('reads a correlation, counts commands by outcome and events by type, age and writer schema', async () => {
    expect(await correlationExists(pool, correlationId)).toBe(true);
    expect(await correlationExists(pool, randomUUID())).toBe(false);
    expect((await readEventsOfCorrelation(pool, correlationId, 2)).length).toBe(2);
    expect((await readCommandsOfCorrelation(pool, correlationId, 10)).map((c) => c.outcome).sort()).toEqual(['accepted', null]);
    expect(await countCommandsByOutcome(pool)).toEqual([
      { outcome: 'accepted', count: 1 },
      { outcome: 'pending', count: 1 },
    ]);
    expect(await countEvents(pool, ['Counter'])).toBe(3);
    expect(await countEvents(pool, ['Other'])).toBe(0);
    expect(await countEventsOlderThan(pool, ['Counter'], 60_000)).toMatchObject({ total: 3, old: 0 });
    expect(await countEventsByWriterSchema(pool, ['Counter'])).toEqual([
      { type: 'Incremented', schemaId: 7, count: 2 },
      { type: 'Incremented', schemaId: 8, count: 1 },
    ]);
    const times = await readRecordedTimes(pool, [appended[0]?.eventUuid as string, randomUUID()]);
    expect([...times.keys()]).toEqual([appended[0]?.eventUuid]);
  });

  it("keeps a projector's applied and failed events, resolves a parked one, and forgets them all", async () => {
    const projector = 'counters_v1';
    const [first, second] = appended as [RecordedEvent, RecordedEvent];
    await inTransaction(pool, (client) => markProjected(client, projector, first.eventUuid));
    await recordFailure(pool, { projector, event: second, topic: 'counter.events', partition: 0, offset: '1', error: new Error('boom'), policy: 'park' });
    expect(await readProjectedEventUuids(pool, projector)).toEqual([first.eventUuid]);
    expect(await countProjected(pool, projector, [first.eventUuid, second.eventUuid])).toBe(1);
    expect((await readLastProjected(pool, projector, 10)).map((p) => p.eventUuid)).toEqual([first.eventUuid]);
    expect(await readLeftOutEventUuids(pool, projector)).toEqual([second.eventUuid]);
    await inTransaction(pool, (client) => resolveParkedFailure(client, projector, second.eventUuid, 'skipped'));
    expect(await listFailures(pool, projector)).toEqual([]);
    expect(await readLeftOutEventUuids(pool, projector)).toEqual([second.eventUuid]);
    await inTransaction(pool, (client) => forgetProjected(client, projector));
    expect(await readProjectedEventUuids(pool, projector)).toEqual([]);
    expect(await readLeftOutEventUuids(pool, projector)).toEqual([]);
  });
});
