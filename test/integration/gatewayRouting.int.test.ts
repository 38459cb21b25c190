import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandTopicOf } from '../../src/core/index.ts';
import { createGateway, type Gateway, type TestPipeline } from '../../src/index.ts';
import { testPipeline } from '../../src/testing/testPipeline.ts';
import counterConfig from '../fixtures/counter/streamfold.config.ts';
import { projectRoot } from '../support/isolatedPipeline.ts';

const token = 'a-routing-test-token-0123456789';

describe('the gateway routes: methods, unknown paths, HEAD and the documented paths', () => {
  let pipeline: TestPipeline;
  let gateway: Gateway;
  let guarded: Gateway;
  const call = (path: string, init: RequestInit = {}, base = gateway) => fetch(`${base.url}${path}`, { redirect: 'manual', ...init });

  beforeAll(async () => {
    pipeline = await testPipeline(counterConfig, { baseDir: path.join(projectRoot, 'test/fixtures/counter'), label: 'routing' });
    gateway = await createGateway(pipeline.runtime, { port: 0 });
    guarded = await createGateway(pipeline.runtime, { port: 0, token });
  });

  afterAll(async () => {
    await guarded?.close();
    await gateway?.close();
    await pipeline?.close();
  });

  it('answers 405 naming the allowed method when only the method is wrong, and 404 when nothing is there', async () => {
    for (const [method, path, allow] of [
      ['PUT', '/health', 'GET'],
      ['POST', '/health', 'GET'],
      ['GET', '/commands', 'POST'],
      ['DELETE', '/commands', 'POST'],
    ] as const) {
      const response = await call(path, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(((await response.json()) as { error: string }).error).toBe(`${method} is not allowed here; use ${allow}`);
    }
    const missing = await call('/nothing/here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
    expect(missing.headers.get('x-frame-options')).toBe('DENY');
    // The route table is no secret: an unknown path is 404 before any credential is asked for.
    expect((await call('/nothing/here', {}, guarded)).status).toBe(404);
  });

  it('answers the UI\'s unknown paths and wrong methods as pages', async () => {
    const missing = await call('/ui/nothing');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await missing.text()).toContain('nothing at /ui/nothing');
    const posted = await call('/ui', { method: 'POST' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET');
    expect(posted.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('refuses an audit actor Postgres cannot store before anything is done', async () => {
    const forget = await call(`/subjects/${randomUUID()}/forget?by=a%00b`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }, guarded);
    expect(forget.status).toBe(400);
    expect(JSON.stringify(await forget.json())).toContain('by');
  });

  it('answers HEAD for every GET route, with the headers and no body', async () => {
    const head = await call('/health', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await head.text()).toBe('');
  });

  it('refuses a path it cannot decode with 400 and the security headers', async () => {
    const response = await call('/streams/%E0%A4%A');
    expect(response.status).toBe(400);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(((await response.json()) as { error: string }).error).toMatch(/^the request target is not a URL path/);
  });

  it('keeps a login form to 4 KiB', async () => {
    const response = await call('/ui/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${'x'.repeat(5000)}` }, guarded);
    expect(response.status).toBe(413);
  });

  it('documents the API, each projection table as a path, and none of the UI', async () => {
    const doc = (await (await call('/openapi.json')).json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, { oneOf?: unknown[] }> } };
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/commands', '/health', '/openapi.json', `/projections/${pipeline.named('counters')}/counters`]));
    expect(paths.filter((p) => p === '/' || p.startsWith('/ui') || p === '/favicon.ico' || p === '/projections/{name}/{table}')).toEqual([]);
    expect(doc.components.schemas.Command?.oneOf).toEqual([{ $ref: '#/components/schemas/IncrementCommand' }]);
  });

  it('answers the AsyncAPI document of the topics at /asyncapi.json, behind the token as /openapi.json is', async () => {
    expect((await call('/asyncapi.json', {}, guarded)).status).toBe(401);
    const answer = await call('/asyncapi.json', { headers: { authorization: `Bearer ${token}` } }, guarded);
    expect(answer.status).toBe(200);
    const doc = (await answer.json()) as { asyncapi: string; channels: Record<string, { address: string; messages: Record<string, unknown> }> };
    expect(doc.asyncapi).toBe('3.0.0');
    const [domain] = pipeline.runtime.config.domains;
    const commands = Object.values(doc.channels).find((c) => c.address === commandTopicOf(domain!));
    expect(Object.keys(commands?.messages ?? {})).toEqual([...domain!.commandTypes]);
  });
});
