import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import { waitForOutcome } from '../../src/client/waitForOutcome.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { pipelineStatus } from '../../src/operate/status.ts';
import { foldEventLogInto, tableDigests } from '../../src/projection/foldEventLog.ts';
import { schemaOf } from '../../src/projection/names.ts';
import { startProjector } from '../../src/projection/projector.ts';
import { startReactor } from '../../src/reactor/reactorRunner.ts';
import { startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { isolatedPipeline, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { readTopic } from '../support/readTopic.ts';
import { rawKafka } from '../support/rawKafka.ts';

describe('the pipeline end to end', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    pipeline = await isolatedPipeline('pipe');
    const { runtime, config } = pipeline;
    running.push(await startAggregateWorker(runtime));
    for (const projection of config.projections) running.push(await startProjector(runtime, projection));
    for (const reactor of config.reactors) running.push(await startReactor(runtime, reactor));
    sender = await createCommandSender(runtime);
  });

  afterAll(async () => {
    await sender?.close();
    for (const part of running) await part.stop();
    await pipeline?.cleanup();
  });

  it('keeps every projection equal to a fold of the event log after many commands over many aggregates', async () => {
    const { runtime } = pipeline;
    const rosters = Array.from({ length: 20 }, () => ({ roster: randomUUID(), periods: [randomUUID(), randomUUID()] }));
    const students = Array.from({ length: 30 }, () => randomUUID());
    const sends: Promise<unknown>[] = [];
    for (const { roster, periods } of rosters) {
      for (const [i, period] of periods.entries()) {
        sends.push(sender.send({ commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: period, name: `P${i}` } }));
      }
    }
    await Promise.all(sends.splice(0));
    // Enrolments, moves, drops and some refusals, in a fixed pseudo-random pattern.
    for (const [i, { roster, periods }] of rosters.entries()) {
      for (const [j, student] of students.slice(0, 10 + (i % 5)).entries()) {
        const [p0, p1] = periods as [string, string];
        sends.push(sender.send({ commandType: 'EnrollStudent', aggregateUuid: roster, data: { roster_uuid: roster, student_uuid: student, period_uuid: j % 2 ? p0 : p1 } }));
        if (j % 3 === 0) sends.push(sender.send({ commandType: 'MoveStudent', aggregateUuid: roster, data: { roster_uuid: roster, student_uuid: student, from_period_uuid: j % 2 ? p0 : p1, to_period_uuid: j % 2 ? p1 : p0 } }));
        if (j % 4 === 1) sends.push(sender.send({ commandType: 'DropStudent', aggregateUuid: roster, data: { roster_uuid: roster, student_uuid: student, period_uuid: p1 } }));
      }
    }
    for (const student of students) {
      sends.push(sender.send({ commandType: 'ChangeStudentName', aggregateUuid: student, data: { student_uuid: student, first: 'ann', middle: null, last: `lee${student.slice(0, 4)}` } }));
    }
    await Promise.all(sends);
    await waitForQuiescence(runtime, 90_000);

    const { rows: outcomes } = await runtime.pool.query(`select count(*)::int as n from processed_commands where outcome is null`);
    expect(outcomes[0].n).toBe(0);
    const { rows: gaps } = await runtime.pool.query(
      `select stream_id from events group by stream_id having max(version) <> count(*) or min(version) <> 1`,
    );
    expect(gaps).toEqual([]);

    for (const projection of pipeline.config.projections) {
      const folded = `${schemaOf(projection)}_fold`;
      await foldEventLogInto(runtime, projection, folded);
      const live = await tableDigests(runtime.pool, projection, schemaOf(projection));
      expect(live).toEqual(await tableDigests(runtime.pool, projection, folded));
    }
    const rosterView = pipeline.config.projections.find((p) => p.name === pipeline.named('roster_view'));
    const live = await tableDigests(runtime.pool, rosterView!, schemaOf(rosterView!));
    expect(live.periods?.rows).toBe(40);
    expect(live.enrollments?.rows).toBeGreaterThan(100);
  });

  it('handles a command uuid sent twice once, and re-publishes its events the second time', async () => {
    const { runtime } = pipeline;
    const reciter = randomUUID();
    const command = { commandType: 'CreateReciter', aggregateUuid: reciter, commandUuid: randomUUID(), data: { reciter_uuid: reciter, name: 'Twice', description: null } };
    await sender.send(command);
    const first = await waitForOutcome(runtime.pool, command.commandUuid);
    await sender.send(command);
    await waitForQuiescence(runtime);
    const again = await waitForOutcome(runtime.pool, command.commandUuid);
    expect(again.events.map((e) => e.eventUuid)).toEqual(first.events.map((e) => e.eventUuid));
    const { rows } = await runtime.pool.query(`select count(*)::int as n from events where stream_id = $1`, [reciter]);
    expect(rows[0].n).toBe(1);
    const projector = schemaOf(pipeline.config.projections.find((p) => p.name === pipeline.named('reciters'))!);
    const projected = await runtime.pool.query(`select count(*)::int as n from projected_events where projector = $1 and event_uuid = $2`, [projector, first.events[0]?.eventUuid]);
    expect(projected.rows[0].n).toBe(1);
    // The second delivery re-published: the event topic holds the event twice.
    const copies = await countEventOnTopic(pipeline, pipeline.named('reciter') + '.events', first.events[0]!.eventUuid);
    expect(copies).toBe(2);
  });

  it('dead-letters garbage bytes and an unknown schema id on a command topic, and goes on', async () => {
    const { runtime } = pipeline;
    const topic = `${pipeline.named('roster')}.commands`;
    const before = (await pipelineStatus(runtime)).deadLetters.find((d) => d.topic === `${topic}.dlq`)?.count ?? 0n;
    const producer = rawKafka(runtime).producer();
    await producer.connect();
    const unknownSchema = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2, 3]);
    // A sound key and envelope, so the door gets as far as the value.
    const headers = () => ({ 'command-type': 'AddPeriod', 'command-uuid': randomUUID(), 'aggregate-type': 'Roster', 'issued-at': new Date().toISOString(), 'correlation-id': randomUUID() });
    const key = randomUUID();
    await producer.send({ topic, messages: [{ key, value: Buffer.from('garbage'), headers: headers() }, { key, value: unknownSchema, headers: headers() }] });
    await producer.disconnect();
    const roster = randomUUID();
    const after = await sender.send({ commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: randomUUID(), name: 'after poison' } });
    expect((await waitForOutcome(runtime.pool, after.commandUuid)).command.outcome).toBe('accepted');
    await waitForQuiescence(runtime);
    const status = await pipelineStatus(runtime);
    expect(status.deadLetters.find((d) => d.topic === `${topic}.dlq`)?.count).toBe(before + 2n);
    const dead = await readTopic(rawKafka(pipeline.runtime), `${topic}.dlq`);
    const codes = dead.map((m) => m.headers?.['dlq-error-code']?.toString());
    expect(codes).toEqual(expect.arrayContaining(['NOT_WIRE_FORMAT', 'UNKNOWN_SCHEMA_ID']));
    expect(dead.some((m) => m.value?.equals(unknownSchema))).toBe(true);
  });

  it('reacts to a deleted reciter by deleting their albums, once', async () => {
    const { runtime } = pipeline;
    const reciter = randomUUID();
    const albums = [randomUUID(), randomUUID()];
    const created = [await sender.send({ commandType: 'CreateReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter, name: 'R', description: null } })];
    for (const album of albums) {
      created.push(await sender.send({ commandType: 'CreateAlbum', aggregateUuid: album, data: { album_uuid: album, reciter_uuid: reciter, title: 'A', year: 2001 } }));
    }
    for (const c of created) await waitForOutcome(runtime.pool, c.commandUuid);
    await sender.send({ commandType: 'DeleteReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter } });
    await waitForQuiescence(runtime);
    const { rows } = await runtime.pool.query(
      `select stream_id::text as album, caused_by_command_type as by from events where type = 'AlbumDeleted' and stream_id = any($1::uuid[])`,
      [albums],
    );
    expect(rows.map((r) => r.album).sort()).toEqual([...albums].sort());
    const { rows: issuers } = await runtime.pool.query(
      `select metadata->>'issuedBy' as by, metadata->>'causationId' as cause from processed_commands where command_type = 'DeleteAlbum' and aggregate_uuid = any($1::uuid[])`,
      [albums],
    );
    const { rows: deleted } = await runtime.pool.query(`select event_uuid::text from events where stream_id = $1 and type = 'ReciterDeleted'`, [reciter]);
    // Each reaction names the event that caused it.
    expect(issuers).toEqual(albums.map(() => ({ by: `reactor:${pipeline.named('reciter_album_cleanup')}`, cause: deleted[0]?.event_uuid })));
  });
});

async function countEventOnTopic(pipeline: IsolatedPipeline, topic: string, eventUuid: string) {
  const messages = await readTopic(rawKafka(pipeline.runtime), topic);
  return messages.filter((m) => m.headers?.['event-uuid']?.toString() === eventUuid).length;
}
