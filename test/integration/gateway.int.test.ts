import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, openRuntime, testPipeline, type Gateway, type Runtime, type TestPipeline } from '../../src/index.ts';
import { isolateConfig } from '../../src/testing/isolation.ts';
import demoConfig from '../../streamfold.config.ts';
import { projectRoot } from '../support/isolatedPipeline.ts';
import { rawKafka } from '../support/rawKafka.ts';

/** Strings that would break out of a quoted SQL literal or identifier, or out of a path. */
const hostile = [
  `'; drop table events; --`,
  `" or 1=1 --`,
  `x'); delete from processed_commands; --`,
  `../../etc/passwd`,
  `\u0000`,
  `$1`,
  `<script>alert(1)</script>`,
];

describe('the HTTP gateway on a running pipeline', () => {
  let pipeline: TestPipeline;
  let gateway: Gateway;
  const url = (path: string) => `${gateway.url}${path}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url(path), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const getJson = async (path: string) => {
    const response = await fetch(url(path));
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> & { [k: string]: never } };
  };
  const eventCount = async () => Number((await pipeline.runtime.pool.query<{ n: string }>('select count(*) as n from events')).rows[0]?.n);
  const topicEnd = async (topic: string) => {
    const admin = rawKafka(pipeline.runtime).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    return offsets.map((o) => o.high).join(',');
  };

  beforeAll(async () => {
    pipeline = await testPipeline(demoConfig, { baseDir: projectRoot, label: 'gateway' });
    gateway = await createGateway(pipeline.runtime, { port: 0, produceTimeoutMs: 3000 });
  });

  afterAll(async () => {
    await gateway?.close();
    await pipeline?.close();
  });

  it('answers 202 with the command uuid and a poll URL, and the poll gives the outcome and events', async () => {
    const roster = randomUUID();
    const period = randomUUID();
    const response = await post('/commands', {
      commandType: 'AddPeriod',
      aggregateUuid: roster,
      data: { roster_uuid: roster, period_uuid: period, name: 'Homeroom' },
      metadata: { issuedBy: 'ms.frizzle' },
    });
    expect(response.status).toBe(202);
    const sent = (await response.json()) as { commandUuid: string; poll: string; status: string; correlationId: string };
    expect(sent.status).toBe('sent');
    expect(sent.poll).toBe(`/commands/${sent.commandUuid}`);
    expect(response.headers.get('location')).toBe(sent.poll);
    expect(sent.correlationId).toBe(sent.commandUuid);

    const { status, body } = await getJson(`${sent.poll}?wait=20000`);
    expect(status).toBe(200);
    expect(body.status).toBe('accepted');
    expect(body.metadata).toMatchObject({ issuedBy: 'ms.frizzle', role: 'api' });
    expect((body.events as unknown as { eventType: string; aggregateVersion: string; data: unknown }[]).map((e) => [e.eventType, e.aggregateVersion, e.data])).toEqual([
      ['PeriodAdded', '1', { roster_uuid: roster, period_uuid: period, name: 'Homeroom' }],
    ]);
  });

  it('refuses a bad command with 400 naming every failing field, and produces nothing', async () => {
    const topic = `${pipeline.named('roster')}.commands`;
    const before = await topicEnd(topic);
    const response = await post('/commands', {
      commandType: 'EnrollStudent',
      aggregateUuid: 'not-a-uuid',
      data: { roster_uuid: 5, colour: 'red' },
      metadata: { correlationId: 'nope', issuedAt: '1999-01-01' },
      priority: 'high',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; problems: string[] };
    expect(body.problems).toEqual(
      expect.arrayContaining([
        'priority: not a field of a command envelope',
        'metadata.issuedAt: set by the gateway when it receives the command',
        'metadata.correlationId: must be a uuid',
        'data.roster_uuid: 5 is not a uuid',
        'data.student_uuid: missing',
        'data.period_uuid: missing',
        'data.colour: not a field of EnrollStudent',
      ]),
    );
    const typed = (await (await post('/commands', { commandType: 'AddPeriod', aggregateUuid: 'x', data: { roster_uuid: randomUUID(), period_uuid: randomUUID(), name: 'P' } })).json()) as {
      problems: string[];
    };
    expect(typed.problems).toEqual(['aggregateUuid: "x" is not a uuid']);
    const unknown = (await (await post('/commands', { commandType: 'EnrolStudent', aggregateUuid: randomUUID(), data: {} })).json()) as { problems: string[] };
    expect(unknown.problems[0]).toMatch(/^commandType: unknown command; known commands are .*EnrollStudent/);
    expect(await topicEnd(topic)).toBe(before);
  });

  it('refuses what is not a JSON command: wrong content type (415), broken JSON, a non-object, too large a body (413)', async () => {
    const asForm = await fetch(url('/commands'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'commandType=AddPeriod' });
    expect(asForm.status).toBe(415);
    expect((await post('/commands', '{"commandType":')).status).toBe(400);
    const notObject = await post('/commands', '[1,2]');
    expect(notObject.status).toBe(400);
    expect(((await notObject.json()) as { problems: string[] }).problems[0]).toMatch(/must be a JSON object/);
    const huge = await post('/commands', { commandType: 'AddPeriod', aggregateUuid: randomUUID(), data: { name: 'x'.repeat(2 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toMatch(/limit of 1048576 bytes|the limit is 1048576/);
  });

  it('answers 503 with the command uuid when Kafka cannot take the command, and never claims it was sent', async () => {
    // The same schemas, but domains whose topics were never created: Kafka refuses every produce.
    const config = isolateConfig(demoConfig, projectRoot, `missing_${randomUUID().slice(0, 6)}`, fs.mkdtempSync(`${os.tmpdir()}/sf-none-`));
    const runtime: Runtime = await openRuntime(config, 'test', pipeline.runtime.settings);
    const cut = await createGateway(runtime, { port: 0, produceTimeoutMs: 1500 });
    try {
      const roster = randomUUID();
      const response = await fetch(`${cut.url}/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: randomUUID(), name: 'P' } }),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      const body = (await response.json()) as { error: string };
      expect(body.error).toMatch(/Kafka did not take the command .*Resend the same body with "commandUuid": "[0-9a-f-]{36}"/);
      const metrics = await (await fetch(`${cut.url}/metrics`)).text();
      expect(metrics).toMatch(/streamfold_gateway_commands_total\{command_type="AddPeriod",result="unavailable"\} [1-9]/);
    } finally {
      await cut.close();
      await runtime.close();
    }
  });

  it('starts and serves reads while Kafka is unreachable, and says so on /ready, commands and lag', async () => {
    const settings = { ...pipeline.runtime.settings, kafkaBrokers: ['127.0.0.1:1'] };
    const runtime = await openRuntime(pipeline.config, 'test', settings);
    const away = await createGateway(runtime, { port: 0, produceTimeoutMs: 1500 });
    try {
      const roster = randomUUID();
      await pipeline.given([{ commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: randomUUID(), name: 'P' } }]);
      expect((await fetch(`${away.url}/streams/${roster}`)).status).toBe(200);
      const ready = await fetch(`${away.url}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: { postgres: string; kafka: string } }).checks).toMatchObject({ postgres: 'ok', kafka: expect.stringMatching(/did not answer within/) });
      const lag = await fetch(`${away.url}/projections`);
      expect(lag.status).toBe(503);
      expect(((await lag.json()) as { error: string }).error).toMatch(/Kafka did not answer/);
      const sent = await fetch(`${away.url}/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: randomUUID(), name: 'Q' } }),
      });
      expect(sent.status).toBe(503);
      const page = await fetch(`${away.url}/ui`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Kafka did not answer');
    } finally {
      await away.close();
      await runtime.close();
    }
  }, 60_000);

  it('pages through a stream, each event with the command that caused it', async () => {
    const roster = randomUUID();
    await pipeline.given(
      ['P1', 'P2', 'P3'].map((name) => ({ commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: randomUUID(), name } })),
    );
    const first = await getJson(`/streams/${roster}?limit=2`);
    expect(first.status).toBe(200);
    const events = first.body.events as unknown as { aggregateVersion: string; eventType: string; causedBy: { commandType: string } }[];
    expect(events.map((e) => [e.aggregateVersion, e.eventType, e.causedBy.commandType])).toEqual([
      ['1', 'PeriodAdded', 'AddPeriod'],
      ['2', 'PeriodAdded', 'AddPeriod'],
    ]);
    expect(first.body.next).toBe(`/streams/${roster}?limit=2&after=2`);
    const second = await getJson(first.body.next as unknown as string);
    expect((second.body.events as unknown as { aggregateVersion: string }[]).map((e) => e.aggregateVersion)).toEqual(['3']);
    expect(second.body.next).toBeNull();
    expect((await getJson(`/streams/${randomUUID()}`)).status).toBe(404);
    expect((await getJson(`/commands/${randomUUID()}`)).body.status).toBe('unknown');
  });

  it('refuses hostile ids with 400 before any query, and the event log is intact', async () => {
    const before = await eventCount();
    for (const id of hostile) {
      for (const path of ['/streams/', '/commands/', '/correlations/']) {
        const response = await fetch(url(path + encodeURIComponent(id)));
        expect(response.status, `${path}${id}`).toBe(400);
        expect(((await response.json()) as { error: string }).error).toMatch(/is not a uuid/);
      }
    }
    expect((await fetch(url('/streams/%E0%A4%A'))).status).toBe(400);
    expect((await getJson(`/streams/${randomUUID()}?after=1;drop`)).status).toBe(400);
    expect((await getJson(`/streams/${randomUUID()}?limit=100000`)).status).toBe(400);
    expect(await eventCount()).toBe(before);
  });

  it('keeps hostile strings in command data as data: stored, projected and read back verbatim', async () => {
    const roster = randomUUID();
    // NUL is no data Postgres can store: the gateway refuses it (the next test).
    const periods = hostile.filter((h) => h !== '\u0000').map((name) => ({ name, period: randomUUID() }));
    await pipeline.given(periods.map(({ name, period }) => ({ commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: period, name } })));
    const { body } = await getJson(`/projections/${pipeline.named('roster_view')}/periods?roster_uuid=${roster}&limit=100`);
    const rows = body.rows as unknown as { name: string; period_uuid: string }[];
    expect(rows.map((r) => r.name).sort()).toEqual(periods.map((p) => p.name).sort());
    // A filter value is a parameter, never SQL: the classic injection matches nothing.
    const injected = await getJson(`/projections/${pipeline.named('roster_view')}/periods?name=${encodeURIComponent("' or '1'='1")}`);
    expect(injected.status).toBe(200);
    expect(injected.body.rows).toEqual([]);
    const exact = await getJson(`/projections/${pipeline.named('roster_view')}/periods?name=${encodeURIComponent(`'; drop table events; --`)}`);
    expect((exact.body.rows as unknown as { period_uuid: string }[]).map((r) => r.period_uuid)).toEqual([periods[0]?.period]);
  });

  it('refuses a NUL or a lone surrogate in any string of a command with 400 naming the field, and produces nothing', async () => {
    const topic = `${pipeline.named('roster')}.commands`;
    const before = await topicEnd(topic);
    const roster = randomUUID();
    const addPeriod = (name: string, metadata: Record<string, string> = {}) =>
      post('/commands', { commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: randomUUID(), name }, metadata });
    for (const [response, field] of [
      [await addPeriod('Home\u0000room'), 'data.name'],
      [await addPeriod('\u0000'), 'data.name'],
      [await addPeriod('Home\ud800room'), 'data.name'],
      [await addPeriod('Homeroom', { issuedBy: 'ms.\u0000frizzle' }), 'metadata.issuedBy'],
    ] as const) {
      const body = (await response.json()) as { problems?: string[] };
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(body.problems).toEqual([expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}: `))]);
    }
    expect(await topicEnd(topic)).toBe(before);
  });

  it('reads projection tables by names from the config only, with column filters and cursors checked', async () => {
    const roster = randomUUID();
    await pipeline.given(
      ['A', 'B', 'C', 'D', 'E'].map((name) => ({ commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: randomUUID(), name } })),
    );
    const view = pipeline.named('roster_view');
    const seen: string[] = [];
    let next: string | null = `/projections/${view}/periods?roster_uuid=${roster}&limit=2`;
    while (next) {
      const page = await getJson(next);
      expect(page.status).toBe(200);
      seen.push(...(page.body.rows as unknown as { name: string }[]).map((r) => r.name));
      next = page.body.next as unknown as string | null;
    }
    expect(seen.sort()).toEqual(['A', 'B', 'C', 'D', 'E']);

    const unknownProjection = await getJson(`/projections/${encodeURIComponent(`roster_view"; drop schema public; --`)}/periods`);
    expect(unknownProjection.status).toBe(404);
    expect(unknownProjection.body.error).toMatch(/no projection named .*; the config has/);
    const unknownTable = await getJson(`/projections/${view}/${encodeURIComponent('periods; drop table events')}`);
    expect(unknownTable.status).toBe(404);
    expect(unknownTable.body.error).toMatch(/its tables are periods, enrollments, students/);
    const badColumn = await getJson(`/projections/${view}/periods?${encodeURIComponent('name"; drop table events; --')}=x`);
    expect(badColumn.status).toBe(400);
    expect(badColumn.body.error).toMatch(/filters must name columns of periods \(period_uuid, roster_uuid, name\)/);
    expect((await getJson(`/projections/${view}/periods?after=garbage`)).status).toBe(400);
    const forged = Buffer.from(JSON.stringify({ k: [`'; drop table events; --`] })).toString('base64url');
    const forgedPage = await getJson(`/projections/${view}/periods?after=${forged}`);
    expect(forgedPage.status).toBe(400);
    expect(forgedPage.body.error).toMatch(/does not fit its column/);
    expect((await getJson(`/projections/${view}/periods?roster_uuid=not-a-uuid`)).body.rows).toEqual([]);
  });

  it('shows a correlation as a tree: command → events → reactor commands → events', async () => {
    const [reciter, album1, album2] = [randomUUID(), randomUUID(), randomUUID()];
    await pipeline.given([
      { commandType: 'CreateReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter, name: 'R', description: null } },
      { commandType: 'CreateAlbum', aggregateUuid: album1, data: { album_uuid: album1, reciter_uuid: reciter, title: 'One', year: 2019 } },
      { commandType: 'CreateAlbum', aggregateUuid: album2, data: { album_uuid: album2, reciter_uuid: reciter, title: 'Two', year: 2020 } },
    ]);
    const deleted = await pipeline.when({ commandType: 'DeleteReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter } });
    const { status, body } = await getJson(`/correlations/${deleted.command.metadata.correlationId}`);
    expect(status).toBe(200);
    type Node = { commandType: string; outcome: string; link?: string; events: { event: { eventType: string }; reactions: Node[] }[] };
    const shape = (node: Node): unknown => [node.commandType, node.outcome, node.events.map((e) => [e.event.eventType, e.reactions.map(shape)])];
    const roots = body.roots as unknown as Node[];
    expect(roots.map(shape)).toEqual([
      [
        'DeleteReciter',
        'accepted',
        [
          [
            'ReciterDeleted',
            [
              ['DeleteAlbum', 'accepted', [['AlbumDeleted', []]]],
              ['DeleteAlbum', 'accepted', [['AlbumDeleted', []]]],
            ],
          ],
        ],
      ],
    ]);
    expect(roots[0]?.events[0]?.reactions.map((r) => r.link)).toEqual(['derived', 'derived']);
  });

  it('serves health, readiness, the security headers and an OpenAPI document written from the Avro schemas', async () => {
    const health = await fetch(url('/health'));
    expect(health.status).toBe(200);
    expect(health.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('x-frame-options')).toBe('DENY');
    const ready = await getJson('/ready');
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'ok', kafka: 'ok' } });

    const doc = (await getJson('/openapi.json')).body as unknown as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/commands', '/commands/{commandUuid}', '/streams/{aggregateUuid}', `/projections/${pipeline.named('roster_view')}/periods`, '/metrics']));
    expect(doc.components.schemas.EnrollStudentData?.required).toEqual(['roster_uuid', 'student_uuid', 'period_uuid']);
    expect(doc.components.schemas.ChangeStudentNameData?.properties?.middle).toMatchObject({ anyOf: [{ type: 'null' }, { type: 'string' }], default: null });
    expect(doc.components.schemas.ChangeStudentNameData?.required).toEqual(['student_uuid', 'first', 'last']);
    expect(doc.components.schemas.EnrollStudentCommand?.properties?.commandType).toEqual({ const: 'EnrollStudent' });
    expect(doc.components.schemas.PeriodAddedData).toBeDefined();
  });

  it('exposes Prometheus metrics: gateway commands, worker outcomes, events, batch durations, lag per partition, dead letters', async () => {
    // Everything counted below is set off here, whichever tests ran before.
    const roster = randomUUID();
    expect((await post('/commands', { commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: randomUUID(), name: 'L' } })).status).toBe(202);
    await post('/commands', { commandType: 'DropStudent', aggregateUuid: roster, data: { roster_uuid: roster, student_uuid: randomUUID(), period_uuid: randomUUID() } });
    await post('/commands', { commandType: `'; drop table events; --`, aggregateUuid: roster, data: {} });
    expect((await fetch(url('/streams/not-a-uuid'))).status).toBe(400);
    await pipeline.when({ commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: randomUUID(), name: 'M' } });
    const response = await fetch(url('/metrics'));
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/streamfold_gateway_commands_total\{command_type="AddPeriod",result="accepted"\} [1-9]/);
    // A client's made-up type is counted under "unknown": requests cannot mint series.
    expect(text).toMatch(/streamfold_gateway_commands_total\{command_type="unknown",result="invalid"\} [1-9]/);
    expect(text).not.toContain('drop table');
    expect(text).toMatch(/streamfold_commands_handled_total\{command_type="AddPeriod",outcome="accepted"\} [1-9]/);
    expect(text).toMatch(/streamfold_commands_handled_total\{command_type="DropStudent",outcome="rejected"\} [1-9]/);
    expect(text).toMatch(/streamfold_events_appended_total\{aggregate_type="Roster",event_type="PeriodAdded"\} [1-9]/);
    expect(text).toMatch(new RegExp(`streamfold_events_published_total\\{topic="${pipeline.named('roster')}.events"\\} [1-9]`));
    expect(text).toMatch(/streamfold_batch_duration_seconds_count\{role="worker",name="aggregates"\} [1-9]/);
    expect(text).toMatch(new RegExp(`streamfold_projection_lag\\{projection="${pipeline.named('roster_view')}",version="1",topic="${pipeline.named('roster')}.events",partition="0"\\} 0`));
    expect(text).toMatch(new RegExp(`streamfold_dead_letter_messages\\{topic="${pipeline.named('roster')}.commands.dlq"\\} 0`));
    expect(text).toMatch(/streamfold_commands_archived\{outcome="accepted"\} [1-9]/);
    expect(text).toMatch(/streamfold_pipeline_up 1/);
    expect(text).toMatch(/streamfold_http_requests_total\{method="GET",route="\/streams\/:aggregateUuid",status="400"\} [1-9]/);
  });
});
