import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOptions } from '../../src/cli/serveCommand.ts';
import { spawnStreamfold, waitForOutput, type Child } from '../support/childProcesses.ts';
import { isolatedPipeline, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

const token = 'serve-test-token-0123456789abcdef';

describe('streamfold serve', () => {
  let pipeline: IsolatedPipeline;
  let worker: Child;

  beforeAll(async () => {
    pipeline = await isolatedPipeline('serve');
    worker = spawnStreamfold(['worker'], pipeline.childEnv);
    await waitForOutput(worker, 'worker running');
  });

  afterAll(async () => {
    worker?.process.kill('SIGTERM');
    await worker?.exited;
    await pipeline?.cleanup();
  });

  it('reads flags over variables over defaults, and refuses bad values with a clear message', () => {
    expect(serveOptions({}, {})).toEqual({ host: '127.0.0.1', port: 8080, token: undefined, maxBodyBytes: 1048576 });
    expect(serveOptions({ port: '9000' }, { STREAMFOLD_HTTP_PORT: '7000', STREAMFOLD_HTTP_HOST: '0.0.0.0', STREAMFOLD_HTTP_MAX_BODY_BYTES: '2048' })).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      maxBodyBytes: 2048,
    });
    expect(() => serveOptions({ port: 'eighty' }, {})).toThrow('--port (STREAMFOLD_HTTP_PORT) must be a whole number from 0 to 65535, not "eighty"');
    expect(() => serveOptions({}, { STREAMFOLD_HTTP_PORT: '70000' })).toThrow(/from 0 to 65535/);
    expect(() => serveOptions({ token: 'short' }, {})).toThrow(/at least 16 characters/);
    expect(() => serveOptions({ maxBodyBytes: '-1' }, {})).toThrow(/--max-body-bytes/);
  });

  it('exits 2 naming the bad setting, before connecting to anything', async () => {
    const child = spawnStreamfold(['serve', '--port', 'eighty'], pipeline.childEnv);
    expect(await child.exited).toBe(2);
    expect(child.output()).toContain('streamfold: --port (STREAMFOLD_HTTP_PORT) must be a whole number from 0 to 65535, not "eighty"');
    expect(child.output()).not.toContain('    at ');
  });

  it('serves the gateway with the token from the environment, never prints the token, and stops on SIGTERM', async () => {
    const child = spawnStreamfold(['serve'], { ...pipeline.childEnv, STREAMFOLD_HTTP_PORT: '0', STREAMFOLD_HTTP_TOKEN: token });
    try {
      await waitForOutput(child, 'gateway listening');
      const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(child.output())?.[1] as string;
      expect(child.output()).toContain('"auth":"bearer token"');
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/projections`)).status).toBe(401);
      const roster = randomUUID();
      const sent = await fetch(`${url}/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: randomUUID(), name: 'Served' } }),
      });
      expect(sent.status).toBe(202);
      const { poll } = (await sent.json()) as { poll: string };
      const outcome = (await (await fetch(`${url}${poll}?wait=20000`, { headers: { authorization: `Bearer ${token}` } })).json()) as { status: string };
      expect(outcome.status).toBe('accepted');
      child.process.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      expect(child.output()).toContain('"msg":"stopping"');
      expect(child.output()).not.toContain(token);
    } finally {
      child.process.kill('SIGKILL');
    }
  });
});
