import { randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, defineProjection, type Gateway, type TestPipeline } from '../../src/index.ts';
import type { Logger } from '../../src/logger.ts';
import { testPipeline } from '../../src/testing/testPipeline.ts';
import { counterDomain } from '../fixtures/counter/counter.ts';
import { projectRoot } from '../support/isolatedPipeline.ts';
import { rawKafka } from '../support/rawKafka.ts';

/** Increments a projection cannot apply until the test "deploys a fix" by taking them out of this set. */
const broken = new Set<number>();

const seen = (name: string, failurePolicy: 'park' | 'halt', poison: number) =>
  defineProjection({
    name,
    version: 1,
    sources: ['counter'],
    tables: ['seen'],
    failurePolicy,
    async setup(sql, schema) {
      await sql.query(`create table if not exists "${schema}".seen (event_uuid uuid primary key, by integer not null)`);
    },
    async apply(event, sql, schema) {
      const by = (event.data as { by?: number }).by ?? 0;
      if (by === poison && broken.has(poison)) throw new Error(`cannot project by=${poison} <b>yet</b>`);
      await sql.query(`insert into "${schema}".seen values ($1, $2)`, [event.eventUuid, by]);
    },
  });

const config = { app: 'operate', avroDir: 'avro', domains: [counterDomain], projections: [seen('parking', 'park', 13), seen('halting', 'halt', 7)] };
const token = 'a-test-token-that-is-long-enough-0123456789';

describe('operating through the gateway: failures, dead letters, and who may call', () => {
  let pipeline: TestPipeline;
  let gateway: Gateway;
  let guarded: Gateway;
  const logged: string[] = [];
  const record = (line: string, fields?: Record<string, unknown>) => void logged.push(JSON.stringify({ line, ...fields }));
  const logger: Logger = { error: record, warn: record, info: record, debug: record, trace: record, traceEnabled: true };

  const call = async (path: string, init: RequestInit = {}, base = gateway) => {
    const response = await fetch(`${base.url}${path}`, { redirect: 'manual', ...init });
    const text = await response.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: response.status, headers: response.headers, body };
  };
  const postJson = (path: string, body: unknown = {}, base = gateway, headers: Record<string, string> = {}) =>
    call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }, base);
  const increment = (counter: string, by: number) => ({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by } });
  const projection = async (name: string) => (await call(`/projections/${pipeline.named(name)}`)).body as { state: string; failures: { event_uuid: string; status: string; error: string }[] };
  const until = async <T>(what: string, look: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await look();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  beforeAll(async () => {
    pipeline = await testPipeline(config, { baseDir: path.join(projectRoot, 'test/fixtures/counter'), label: 'operate' });
    gateway = await createGateway(pipeline.runtime, { port: 0 }, logger);
    guarded = await createGateway(pipeline.runtime, { port: 0, token }, logger);
  });

  afterAll(async () => {
    await guarded?.close();
    await gateway?.close();
    await pipeline?.close();
  });

  it('shows a parked event; a retry that fails again changes nothing, one after the fix applies it', async () => {
    broken.add(13);
    const counter = randomUUID();
    const result = await pipeline.when(increment(counter, 13));
    const [event] = result.events;
    const parked = await projection('parking');
    expect(parked.state).toBe('current');
    expect(parked.failures).toEqual([expect.objectContaining({ event_uuid: event?.eventUuid, status: 'parked', error: 'cannot project by=13 <b>yet</b>' })]);

    const failing = await postJson(`/projections/${pipeline.named('parking')}/failures/${event?.eventUuid}/retry`);
    expect(failing.status).toBe(409);
    expect(failing.body.error).toMatch(/could not apply Incremented .* again: cannot project by=13/);
    expect((await projection('parking')).failures.map((f) => f.status)).toEqual(['parked']);

    broken.delete(13);
    const retried = await postJson(`/projections/${pipeline.named('parking')}/failures/${event?.eventUuid}/retry`);
    expect(retried.status).toBe(200);
    expect((await projection('parking')).failures).toEqual([]);
    expect(await pipeline.rows('parking', 'seen', { event_uuid: event?.eventUuid })).toEqual([{ event_uuid: event?.eventUuid, by: 13 }]);
  });

  it('skips a parked event: marked projected, never applied', async () => {
    broken.add(13);
    const counter = randomUUID();
    const [event] = (await pipeline.when(increment(counter, 13))).events;
    expect((await postJson(`/projections/${pipeline.named('parking')}/failures/${randomUUID()}/skip`)).status).toBe(404);
    expect((await postJson(`/projections/${pipeline.named('parking')}/failures/${encodeURIComponent("'; drop table projection_failures; --")}/skip`)).status).toBe(400);
    const skipped = await postJson(`/projections/${pipeline.named('parking')}/failures/${event?.eventUuid}/skip`);
    expect(skipped.status).toBe(200);
    expect((await projection('parking')).failures).toEqual([]);
    expect(await pipeline.rows('parking', 'seen', { event_uuid: event?.eventUuid })).toEqual([]);
    const { rowCount } = await pipeline.runtime.readPool.query('select 1 from projected_events where projector = $1 and event_uuid = $2', [`${pipeline.named('parking')}_v1`, event?.eventUuid]);
    expect(rowCount).toBe(1);
    broken.delete(13);
  });

  it('lists a dead-lettered message with its error and source, and sends it back to its topic', async () => {
    const commands = `${pipeline.named('counter')}.commands`;
    const dlq = `${commands}.dlq`;
    const producer = rawKafka(pipeline.runtime).producer();
    await producer.connect();
    await producer.send({ topic: commands, messages: [{ key: 'garbage-key', value: Buffer.from('not avro <script>') }] });
    await producer.disconnect();
    const count = async () => ((await call('/dead-letters')).body as unknown as { topic: string; count: string }[]).find((d) => d.topic === dlq)?.count;
    await until('the dead letter', async () => ((await count()) === '1' ? true : undefined));

    const letters = (await call(`/dead-letters/${dlq}`)).body as unknown as { partition: number; offset: string; errorCode: string; sourceTopic: string; key: string; preview: string }[];
    // The door reads the key first: a key that is no aggregate uuid is what it names.
    expect(letters).toEqual([expect.objectContaining({ errorCode: 'BAD_KEY', sourceTopic: commands, key: 'garbage-key', preview: 'not avro <script>' })]);

    const sentBack = await postJson(`/dead-letters/${dlq}/${letters[0]?.partition}/${letters[0]?.offset}/retry`);
    expect(sentBack.status).toBe(200);
    expect(sentBack.body).toMatchObject({ sentTo: commands, errorCode: 'BAD_KEY' });
    // Still garbage: the worker dead-letters it again, and nothing is lost.
    await until('the second dead letter', async () => ((await count()) === '2' ? true : undefined));
    const discarded = await postJson(`/dead-letters/${dlq}/0/1/discard?by=ops-oncall`);
    expect(discarded.body).toMatchObject({ action: 'discarded', by: 'ops-oncall', errorCode: 'BAD_KEY', partition: 0, offset: '1' });
    // Both acts are in the audit record, with who did them (the CLI's dead-letters commands write the same rows).
    const audit = await pipeline.runtime.pool.query('select "offset"::text as "offset", action, actor, sent_to from dead_letter_actions where topic = $1 order by id', [dlq]);
    expect(audit.rows).toEqual([
      { offset: letters[0]?.offset, action: 'retried', actor: 'http', sent_to: commands },
      { offset: '1', action: 'discarded', actor: 'ops-oncall', sent_to: null },
    ]);

    expect((await call('/dead-letters/__consumer_offsets')).status).toBe(404);
    const nothingThere = await call(`/dead-letters/${dlq}/0/99999/retry`, { method: 'POST' });
    expect(nothingThere.status, JSON.stringify(nothingThere.body)).toBe(404);
    expect((await call(`/dead-letters/${dlq}/0/${encodeURIComponent('1 or 1=1')}/retry`, { method: 'POST' })).status).toBe(400);
  });

  it('halts on a failing event, shows it, and resumes after the fix', async () => {
    broken.add(7);
    const counter = randomUUID();
    const sent = await postJson('/commands', increment(counter, 7));
    expect(sent.status).toBe(202);
    const halted = await until('the halt', async () => {
      const p = await projection('halting');
      return p.state === 'halted' ? p : undefined;
    });
    expect(halted.failures).toEqual([expect.objectContaining({ status: 'halted', error: 'cannot project by=7 <b>yet</b>' })]);
    broken.delete(7);
    const resumed = await postJson(`/projections/${pipeline.named('halting')}/resume`);
    expect(resumed.body).toMatchObject({ version: 1, versionStatus: 'live', resumed: 1 });
    await until('the catch-up', async () => ((await projection('halting')).state === 'current' ? true : undefined));
    expect((await pipeline.rows('halting', 'seen')).map((r) => r.by)).toContain(7);
    expect((await postJson(`/projections/${pipeline.named('halting')}/skip?version=1`)).body).toMatchObject({ version: 1, skipped: 0, message: 'v1 was not halted' });
    expect((await postJson(`/projections/${pipeline.named('halting')}/skip?version=9`)).status).toBe(404);
  });

  it('with a token: API calls need the bearer token; health and readiness do not', async () => {
    expect((await call('/health', {}, guarded)).status).toBe(200);
    expect((await call('/ready', {}, guarded)).status).toBe(200);
    for (const path of ['/metrics', '/openapi.json', `/streams/${randomUUID()}`, '/projections']) {
      const refused = await call(path, {}, guarded);
      expect(refused.status, path).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect((await call('/metrics', { headers: { authorization: 'Bearer wrong' } }, guarded)).status).toBe(401);
    expect((await call('/metrics', { headers: { authorization: `Basic ${token}` } }, guarded)).status).toBe(401);
    expect((await call('/metrics', { headers: { authorization: `Bearer ${token}` } }, guarded)).status).toBe(200);
    const counter = randomUUID();
    expect((await postJson('/commands', increment(counter, 1), guarded)).status).toBe(401);
    expect((await postJson('/commands', increment(counter, 1), guarded, { authorization: `Bearer ${token}` })).status).toBe(202);
  });

  it('with a token: the browser logs in once and keeps a session cookie that is not the token', async () => {
    const redirected = await call('/ui/dead-letters/x?limit=5', {}, guarded);
    expect(redirected.status).toBe(303);
    expect(redirected.headers.get('location')).toBe('/ui/login?next=%2Fui%2Fdead-letters%2Fx%3Flimit%3D5');
    const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    const wrong = await call('/ui/login', form({ token: 'guess', next: '/ui' }), guarded);
    expect(wrong.status).toBe(401);
    const right = await call('/ui/login', form({ token, next: 'https://evil.example/' }), guarded);
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/ui'); // no redirect off the gateway
    const cookie = right.headers.get('set-cookie') as string;
    expect(cookie).toMatch(/^streamfold_session=[\w-]+; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(cookie).not.toContain(token);
    const session = cookie.split(';')[0] as string;
    expect((await call('/ui', { headers: { cookie: session } }, guarded)).status).toBe(200);
    expect((await call('/ui', { headers: { cookie: 'streamfold_session=forged' } }, guarded)).status).toBe(303);
  });

  it('refuses cross-site posts and requests addressed to another host name (DNS rebinding)', async () => {
    const crossSite = await call(`/projections/${pipeline.named('halting')}/resume`, { method: 'POST', headers: { origin: 'http://evil.example' } });
    expect(crossSite.status).toBe(403);
    const fetchSite = await call(`/projections/${pipeline.named('halting')}/resume`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(fetchSite.status).toBe(403);
    const sameOrigin = await call(`/projections/${pipeline.named('halting')}/resume`, { method: 'POST', headers: { origin: gateway.url } });
    expect(sameOrigin.status).toBe(200);

    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${gateway.url}/health`, { headers: { host: 'rebound.evil.example' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(421);
  });

  it('never logs the token or command data', async () => {
    // What this test sends, whichever tests ran before: the token in a header and in the login form,
    // a command sent and one refused as invalid, both with data.
    const from = logged.length;
    const counter = randomUUID();
    expect((await postJson('/commands', increment(counter, 1), guarded, { authorization: `Bearer ${token}` })).status).toBe(202);
    expect((await postJson('/commands', increment(counter, 0.5), guarded, { authorization: `Bearer ${token}` })).status).toBe(400);
    expect((await postJson('/commands', increment(counter, 1), guarded, { authorization: `Bearer ${token}x` })).status).toBe(401);
    const login = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, next: '/ui' }).toString() };
    expect((await call('/ui/login', login, guarded)).status).toBe(303);
    const lines = logged.slice(from);
    expect(lines.filter((l) => l.includes('"line":"command sent"'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('"line":"command refused as invalid"'))).toHaveLength(1);
    const all = lines.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain('counter_uuid');
  });
});
