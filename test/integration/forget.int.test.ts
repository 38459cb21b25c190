import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import { waitForOutcome } from '../../src/client/waitForOutcome.ts';
import { createGateway, type Gateway } from '../../src/index.ts';
import avro from 'avsc';
import { commandTopicOf, eventTopicOf, type Projection } from '../../src/core/index.ts';
import type { MessageSchema } from '../../src/messaging/schemaCatalog.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { schemaOf } from '../../src/projection/names.ts';
import { startProjector } from '../../src/projection/projector.ts';
import { replayFromEventLog } from '../../src/projection/replayFromEventLog.ts';
import { startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { spawnStreamfold } from '../support/childProcesses.ts';
import { isolatedPipeline, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { rawKafka } from '../support/rawKafka.ts';
import { readTopic } from '../support/readTopic.ts';

// Names no other test sends, so finding them anywhere means this test's student leaked.
const FIRST = 'Zephyrine';
const LAST = 'Quillfeather';
const leaks = (text: string) => [FIRST, LAST].some((name) => text.toLowerCase().includes(name.toLowerCase()));

describe('crypto-shredding: forgetting a data subject', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  let gateway: Gateway;
  let rosterView: Projection;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    pipeline = await isolatedPipeline('forget');
    const { runtime, config } = pipeline;
    rosterView = config.projections.find((p) => p.name === pipeline.named('roster_view')) as Projection;
    running.push(await startAggregateWorker(runtime));
    running.push(await startProjector(runtime, rosterView));
    running.push(await startProjector(runtime, config.projections.find((p) => p.name === pipeline.named('revisions')) as Projection));
    sender = await createCommandSender(runtime);
    gateway = await createGateway(runtime, { port: 0, produceTimeoutMs: 3000 });
  });

  afterAll(async () => {
    await gateway?.close();
    await sender?.close();
    for (const part of running) await part.stop();
    await pipeline?.cleanup();
  });

  it('leaves the name readable nowhere, [erased] where it was, while the student still decides', async () => {
    const { runtime } = pipeline;
    const student = randomUUID();
    const changeName = async (first: string, last: string) => {
      const { commandUuid } = await sender.send({ commandType: 'ChangeStudentName', aggregateUuid: student, data: { student_uuid: student, first, middle: null, last } });
      return { commandUuid, outcome: await waitForOutcome(runtime.pool, commandUuid, 30_000) };
    };
    const named = await changeName(FIRST.toLowerCase(), LAST.toLowerCase());
    expect(named.outcome.command.outcome).toBe('accepted');
    await waitForQuiescence(runtime, 60_000);

    // Before: sealed at rest, plaintext to the readers.
    const eventRows = async () => (await runtime.pool.query(`select data::text from events where stream_id = $1`, [student])).rows.map((r) => r.data as string);
    const archived = async () => (await runtime.pool.query(`select data::text from processed_commands where aggregate_uuid = $1`, [student])).rows.map((r) => r.data as string);
    expect((await eventRows()).join()).toMatch(/sfenc:v1:/);
    expect(leaks((await eventRows()).join() + (await archived()).join())).toBe(false);
    const students = schemaOf(rosterView);
    const viewRow = async () => (await runtime.readPool.query(`select first, middle, last from "${students}".students where student_uuid = $1`, [student])).rows[0];
    expect(await viewRow()).toEqual({ first: FIRST, middle: null, last: LAST });
    const stream = async () => (await fetch(`${gateway.url}/streams/${student}`)).json() as Promise<{ events: { data: Record<string, unknown> }[] }>;
    expect((await stream()).events[0]?.data).toMatchObject({ first: FIRST, last: LAST });

    const answer = await fetch(`${gateway.url}/subjects/${student}/forget?by=dpo@example.org`, { method: 'POST' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ subject: student, by: 'dpo@example.org', keyDestroyed: true, readModels: [students, schemaOf({ name: pipeline.named('revisions'), version: 1 })] });
    const { rows: keys } = await runtime.pool.query(`select key, forgotten_by, forgotten_at from subject_keys where subject_uuid = $1`, [student]);
    expect(keys).toEqual([{ key: null, forgotten_by: 'dpo@example.org', forgotten_at: expect.any(Date) }]);

    // After: the log, the archive, the topic's raw bytes, the read model, a replay and the gateway.
    expect(leaks((await eventRows()).join() + (await archived()).join())).toBe(false);
    const topic = await readTopic(rawKafka(runtime), eventTopicOf({ name: pipeline.named('studentProfile') }));
    const bytes = topic.filter((m) => m.key?.toString() === student).map((m) => m.value?.toString('latin1') ?? '');
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.join()).toMatch(/sfenc:v1:/);
    expect(leaks(bytes.join())).toBe(false);
    expect(await viewRow()).toEqual({ first: '[erased]', middle: null, last: '[erased]' });
    await replayFromEventLog(runtime, rosterView, { version: 2 });
    const replayed = await runtime.readPool.query(`select first, last from "${schemaOf({ name: rosterView.name, version: 2 })}".students where student_uuid = $1`, [student]);
    expect(replayed.rows).toEqual([{ first: '[erased]', last: '[erased]' }]);
    expect((await stream()).events[0]?.data).toMatchObject({ first: '[erased]', last: '[erased]' });
    expect(leaks(JSON.stringify(await stream()))).toBe(false);

    // The stream still folds: a later command decides against the erased state, and keeps no new name.
    const renamed = await changeName('ann', 'lee');
    expect(renamed.outcome.command.outcome).toBe('accepted');
    const last = (await eventRows()).at(-1) as string;
    expect(JSON.parse(last)).toMatchObject({ first: '[erased]', last: '[erased]' });
  });

  it('seals the personal fields of an invalid command too, made storable first', async () => {
    const { runtime } = pipeline;
    const student = randomUUID();
    // A foreign producer's command: streamfold's sender refuses U+0000, the worker records it invalid.
    const commandUuid = randomUUID();
    const schema = runtime.schemas.get('ChangeStudentName') as MessageSchema;
    const plain = avro.Type.forSchema(JSON.parse(schema.definition) as avro.Schema);
    const value = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), plain.toBuffer({ student_uuid: student, first: `${FIRST}\u0000`, middle: null, last: LAST })]);
    value.writeInt32BE(runtime.codec.schemaIdOf('ChangeStudentName'), 1);
    const producer = rawKafka(runtime).producer();
    await producer.connect();
    await producer.send({
      topic: commandTopicOf({ name: pipeline.named('studentProfile') }),
      messages: [{ key: student, value, headers: { 'command-type': 'ChangeStudentName', 'command-uuid': commandUuid, 'aggregate-type': runtime.domainNamed(pipeline.named('studentProfile')).aggregateType, 'issued-at': new Date().toISOString(), 'correlation-id': randomUUID() } }],
    });
    await producer.disconnect();
    expect((await waitForOutcome(runtime.pool, commandUuid, 30_000)).command.outcome).toBe('invalid');
    const { rows } = await runtime.pool.query(`select data::text, reason from processed_commands where command_uuid = $1`, [commandUuid]);
    expect(leaks(rows[0].data)).toBe(false);
    const record = (await (await fetch(`${gateway.url}/commands/${commandUuid}`)).json()) as { data: Record<string, unknown> };
    expect(record.data).toMatchObject({ first: `${FIRST}\uFFFD`, last: LAST });
  });

  it('forgets from the terminal: stream and command show the reciter\'s name, then [erased]', async () => {
    const { runtime } = pipeline;
    const reciter = randomUUID();
    const { commandUuid } = await sender.send({ commandType: 'CreateReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter, name: 'Ottoline Brackenbury', description: 'a reciter' } });
    expect((await waitForOutcome(runtime.pool, commandUuid, 30_000)).command.outcome).toBe('accepted');
    const run = async (...args: string[]) => {
      const child = spawnStreamfold(args, pipeline.childEnv);
      const code = await child.exited;
      return { code, output: child.output() };
    };
    const revisions = schemaOf({ name: pipeline.named('revisions'), version: 1 });
    const revisionContent = async () => (await runtime.readPool.query(`select content::text from "${revisions}".revisions where entity_uuid = $1`, [reciter])).rows.map((r) => r.content as string).join();
    for (let tries = 0; !(await revisionContent()).includes('Ottoline Brackenbury') && tries < 150; tries++) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await revisionContent()).toContain('Ottoline Brackenbury');
    expect((await run('stream', reciter)).output).toContain('Ottoline Brackenbury');
    const forgot = await run('forget', reciter, '--by', 'ops');
    expect(forgot.code).toBe(0);
    expect(forgot.output).toMatch(new RegExp(`forgot ${reciter} by ops at .*: key destroyed`));
    expect(forgot.output).toContain(`erased in read model ${revisions}`);
    expect(await revisionContent()).not.toContain('Ottoline');
    expect(await revisionContent()).toContain('[erased]');
    for (const args of [['stream', reciter], ['command', commandUuid]]) {
      const { code, output } = await run(...args);
      expect(code).toBe(0);
      expect(output).not.toContain('Ottoline');
      expect(output).toContain('[erased]');
      expect(output).toContain('a reciter');
    }
    expect((await run('forget', 'nobody')).code).toBe(2);
  });

  /** A new student given this test's name, the command accepted and its event on the topic and projected. */
  async function newNamedStudent() {
    const student = randomUUID();
    const { commandUuid } = await sender.send({ commandType: 'ChangeStudentName', aggregateUuid: student, data: { student_uuid: student, first: FIRST, middle: null, last: LAST } });
    expect((await waitForOutcome(pipeline.runtime.pool, commandUuid, 30_000)).command.outcome).toBe('accepted');
    // Not waitForQuiescence: the reciter's events of the test above have no consumer here.
    const projected = async () => (await pipeline.runtime.readPool.query(`select first from "${schemaOf(rosterView)}".students where student_uuid = $1`, [student])).rows[0]?.first;
    for (let tries = 0; (await projected()) !== FIRST && tries < 150; tries++) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await projected()).toBe(FIRST);
    return { student, commandUuid };
  }

  it('shows [erased] in the UI: the stream, the command, its correlation and the read-model table', async () => {
    const { student, commandUuid } = await newNamedStudent();
    // The gateway has no token here, so the UI answers without a login. The correlation is the command's own uuid.
    const pages = [`/ui/streams/${student}`, `/ui/commands/${commandUuid}`, `/ui/correlations/${commandUuid}`, `/ui/projections/${rosterView.name}/students`];
    const html = async (path: string) => {
      const page = await fetch(`${gateway.url}${path}`);
      expect(page.status, path).toBe(200);
      return page.text();
    };
    for (const path of pages) expect(leaks(await html(path)), path).toBe(true);
    expect((await fetch(`${gateway.url}/subjects/${student}/forget`, { method: 'POST' })).status).toBe(200);
    for (const path of pages) {
      const page = await html(path);
      expect(leaks(page), path).toBe(false);
      expect(page, path).toContain('[erased]');
    }
  });

  it('dead-letters a sealed event as ciphertext: the .dlq topic, `dead-letters show` and GET /dead-letters hold no name', async () => {
    const { runtime } = pipeline;
    const { student } = await newNamedStudent();
    const kafka = rawKafka(runtime);
    const events = eventTopicOf({ name: pipeline.named('studentProfile') });
    const dlq = `${events}.dlq`;
    const [sealed] = (await readTopic(kafka, events)).filter((m) => m.key?.toString() === student);
    if (!sealed?.value) throw new Error(`no event of ${student} on ${events}`);
    expect(sealed.value.toString('latin1')).toMatch(/sfenc:v1:/);
    // The real sealed event again, with a broken envelope: the projectors dead-letter it (BAD_HEADERS).
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: events, messages: [{ key: student, value: sealed.value, headers: { ...sealed.headers, 'event-uuid': 'not-a-uuid' } }] });
    await producer.disconnect();
    const ours = async () => (await readTopic(kafka, dlq)).filter((m) => m.key?.toString() === student);
    let letters = await ours();
    for (let tries = 0; letters.length === 0 && tries < 60; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      letters = await ours();
    }
    expect(letters.length).toBeGreaterThan(0);
    const text = (b: Buffer | string | null | undefined) => (typeof b === 'string' ? b : (b?.toString('latin1') ?? ''));
    const raw = letters.map((m) => [m.key, m.value, ...Object.values(m.headers ?? {}).flat()].map(text).join('|')).join();
    expect(raw).toMatch(/sfenc:v1:/);
    expect(raw).toContain('BAD_HEADERS');
    expect(leaks(raw)).toBe(false);

    const answer = await fetch(`${gateway.url}/dead-letters/${dlq}`);
    expect(answer.status).toBe(200);
    const shown = ((await answer.json()) as { key: string | null; valueBase64: string }[]).filter((l) => l.key === student);
    expect(shown.length).toBeGreaterThan(0);
    expect(leaks(JSON.stringify(shown))).toBe(false);
    expect(leaks(shown.map((l) => Buffer.from(l.valueBase64, 'base64').toString('latin1')).join())).toBe(false);
    const cli = spawnStreamfold(['dead-letters', 'show', dlq], pipeline.childEnv);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain(student);
    expect(cli.output()).toContain('sfenc:v1:');
    expect(leaks(cli.output())).toBe(false);
    const page = await (await fetch(`${gateway.url}/ui/dead-letters/${dlq}`)).text();
    expect(page).toContain(student);
    expect(leaks(page)).toBe(false);
  });
});
