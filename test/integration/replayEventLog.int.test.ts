import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import type { Projection } from '../../src/core/index.ts';
import { openLogTail } from '../../src/eventlog/logTail.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { watchCatchUp } from '../../src/projection/catchUp.ts';
import { foldEventLogInto, tableDigests } from '../../src/projection/foldEventLog.ts';
import { projectionGroupOf, schemaOf } from '../../src/projection/names.ts';
import { startProjector } from '../../src/projection/projector.ts';
import { verifyVersion } from '../../src/projection/verify.ts';
import { aggregateGroupOf, startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { spawnStreamfold, waitForOutput, type Child } from '../support/childProcesses.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { rawKafka } from '../support/rawKafka.ts';

describe('replay from the Postgres event log', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  let counters: Projection;
  const children: Child[] = [];
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    pipeline = await isolatedPipeline('replaylog', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 2 });
    counters = pipeline.config.projections[0] as Projection;
    running.push(await startAggregateWorker(pipeline.runtime));
    sender = await createCommandSender(pipeline.runtime);
  });

  afterAll(async () => {
    for (const child of children) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    await sender?.close();
    for (const part of running) await part.stop();
    await pipeline?.cleanup();
  });

  it('never skips an event whose transaction commits after a later one', async () => {
    const connect = async () => {
      const client = new pg.Client({ connectionString: pipeline.settings.databaseUrl });
      await client.connect();
      return client;
    };
    const [slow, fast] = [await connect(), await connect()];
    // A stream type no projection reads, so these hand-written rows stay out of the other test.
    const append = (client: pg.Client, uuid: string) =>
      client.query<{ position: string }>(
        `insert into events (stream_type, stream_id, version, event_uuid, type, schema_id, data, caused_by_command_type, caused_by_command_uuid, correlation_id)
         values ('TrapTest', $1, 1, $1, 'Happened', 0, '{}', 'Do', $1, $1) returning position`,
        [uuid],
      );
    const [late, early] = [randomUUID(), randomUUID()];
    try {
      await slow.query('begin');
      // A plain pg client of the host: int8 arrives as a string (streamfold's pools alone parse bigints).
      const latePosition = BigInt((await append(slow, late)).rows[0]?.position as string);
      const earlyPosition = BigInt((await append(fast, early)).rows[0]?.position as string);
      // The trap is set: the row that commits first has the larger position.
      expect(latePosition < earlyPosition).toBe(true);

      const tail = openLogTail(pipeline.runtime.pool, ['TrapTest']);
      const read: string[] = [];
      for (let page = await tail.next(); page.length > 0; page = await tail.next()) read.push(...page.map((e) => e.eventUuid));
      expect(read).toEqual([early]);
      // A reader that remembers max(position) is already past the open transaction's row: it would never read it.
      const naive = await pipeline.runtime.pool.query(`select event_uuid from events where stream_type = 'TrapTest' and position > $1`, [earlyPosition.toString()]);
      expect(naive.rows).toEqual([]);

      await slow.query('commit');
      for (let page = await tail.next(); page.length > 0; page = await tail.next()) read.push(...page.map((e) => e.eventUuid));
      expect(read).toEqual([early, late]);
      expect(await tail.next()).toEqual([]);
    } finally {
      await slow.end();
      await fast.end();
    }
  });

  it('rebuilds a version whose topic lost its old events, then follows the topic', async () => {
    const { runtime, config } = pipeline;
    const groupOf = (version: number) => projectionGroupOf(config.app, { name: counters.name, version });
    const ids = Array.from({ length: 60 }, () => randomUUID());
    const incrementAll = async () => {
      await Promise.all(ids.map((id) => sender.send({ commandType: 'Increment', aggregateUuid: id, data: { counter_uuid: id, by: 2 } })));
    };
    const v1 = await startProjector(runtime, counters);
    running.push(v1);
    for (let round = 0; round < 3; round++) await incrementAll();
    await waitForQuiescence(runtime, 60_000, [aggregateGroupOf(config.app), groupOf(1)]);

    // Retention cut: the topic no longer holds anything written so far.
    const topic = `${pipeline.named('counter')}.events`;
    const admin = rawKafka(runtime).admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.deleteTopicRecords({ topic, partitions: [0, 1].map((partition) => ({ partition, offset: '-1' })) });
    const lows = (await admin.fetchTopicOffsets(topic)).map((p) => Number(p.low));
    await admin.disconnect();
    expect(lows.reduce((a, b) => a + b, 0)).toBe(180);

    // From the topic, a new version sees nothing; verification says so, and says what to run.
    const fromTopic = await startProjector(runtime, counters, { version: 2 });
    await watchCatchUp(runtime, [{ projection: counters, version: 2 }], () => undefined);
    await fromTopic.stop();
    const incomplete = await verifyVersion(runtime, counters, 2, { graceMs: 0 });
    expect(incomplete).toMatchObject({ passed: false, eventsFolded: 0, neverApplied: 180 });

    // From the log: everything, then the topic for what comes after.
    const child = spawnStreamfold(['replay', counters.name, '--version', '3', '--source', 'eventlog'], pipeline.childEnv);
    children.push(child);
    await waitForOutput(child, 'caught up with the head', 90_000);
    expect(child.output()).toMatch(new RegExp(`${counters.name} v3: read 180 events from the event log in [\\d.]+ s \\(\\d+ events/s\\); now following the topics`));
    await incrementAll();
    await waitForQuiescence(runtime, 60_000, [aggregateGroupOf(config.app), groupOf(1), groupOf(3)]);
    child.process.kill('SIGINT');
    expect(await child.exited).toBe(0);

    const verified = await verifyVersion(runtime, counters, 3, { graceMs: 0 });
    expect(verified).toMatchObject({ passed: true, eventsFolded: 240, neverApplied: 0, gaps: [] });
    const folded = `${schemaOf(counters)}_fold`;
    await foldEventLogInto(runtime, counters, folded);
    expect(await tableDigests(runtime.readPool, counters, schemaOf({ name: counters.name, version: 3 }))).toEqual(await tableDigests(runtime.readPool, counters, folded));
    // Each event applied once, in version order (the fixture throws on disorder and counts applications).
    const { rows } = await runtime.readPool.query(`select applied, total::int from "${schemaOf({ name: counters.name, version: 3 })}".counters`);
    expect(rows).toHaveLength(60);
    expect(rows.every((r) => r.applied === 4 && r.total === 8)).toBe(true);
  });
});
