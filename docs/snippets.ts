// The README's test-kit and gateway examples. `npm run build` type-checks this file and
// test/e2e/testKit.e2e.test.ts runs every function in it, so the examples can neither rot nor lie.
// They use the counter domain of test/fixtures/counter, written against the package's exports.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { CommandInvalid, createGateway, deciderSpecification, projectionSpecification, testPipeline, type Runtime } from 'streamfold';
import { command } from 'streamfold/testing';
import { counterDecider, countersProjection } from '../test/fixtures/counter/counter.ts';
import counterConfig from '../test/fixtures/counter/streamfold.config.ts';

// #region decider-spec
/** A decider, given/when/then, in memory: exactly these events, a refusal, or an invalid command. */
export function counterDeciderSpec(): void {
  const spec = deciderSpecification(counterDecider);
  const counter = randomUUID();
  const increment = (by: number) => command('Increment', 'Counter', counter, { counter_uuid: counter, by });

  spec.given([]).when(increment(2)).then([{ type: 'Incremented', data: { counter_uuid: counter, by: 2, total: 2 } }]);
  spec
    .given([{ type: 'Incremented', data: { counter_uuid: counter, by: 999_999, total: 999_999 } }])
    .when(increment(5))
    .thenRefused('LimitReached', { counter_uuid: counter, total: 999_999 });
  spec.given([]).when(increment(0)).thenThrows(CommandInvalid);
}
// #endregion decider-spec

// #region projection-spec
/** A projection, given events then rows, on real Postgres (DATABASE_URL); nothing is left behind. */
export async function countersProjectionSpec(): Promise<void> {
  const spec = projectionSpecification(countersProjection);
  const counter = randomUUID();
  const incremented = (by: number, total: number) => ({ type: 'Incremented', aggregateUuid: counter, data: { counter_uuid: counter, by, total } });
  try {
    await spec
      .given([incremented(1, 1)])
      .when([incremented(2, 3)])
      .thenRows({ counters: [{ counter_uuid: counter, total: 3n, applied: 2, last_version: 2n }] });
    // The negative assertion: a refusal changes no row of any table.
    await spec
      .given([incremented(1, 1)])
      .when([{ type: 'LimitReached', aggregateUuid: counter, data: { counter_uuid: counter, total: 1 } }])
      .thenUnchanged();
  } finally {
    await spec.close();
  }
}
// #endregion projection-spec

// #region pipeline-test
/** The whole pipeline on real Kafka, registry and Postgres: command in, events and rows out, and no other event. */
export async function counterPipelineTest(): Promise<void> {
  const pipeline = await testPipeline(counterConfig, { baseDir: path.resolve(import.meta.dirname, '../test/fixtures/counter') });
  try {
    const counter = randomUUID();
    const increment = (by: number) => ({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by } });
    await pipeline.given([increment(1)]);

    const result = await pipeline.when(increment(2));
    assert.equal(result.outcome, 'accepted');
    result.thenEvents([{ type: 'Incremented', data: { counter_uuid: counter, by: 2, total: 3 } }]);
    await result.thenRows('counters', 'counters', [{ counter_uuid: counter, total: 3n, applied: 2, last_version: 2n }]);

    const invalid = await pipeline.when(increment(0));
    assert.equal(invalid.outcome, 'invalid');
    invalid.thenNoEvents();
  } finally {
    await pipeline.close();
  }
}
// #endregion pipeline-test

// #region http-client
/** A command over HTTP: 202 at once with a URL to poll; `?wait=` long-polls for the outcome. */
export async function incrementOverHttp(gatewayUrl: string, counter: string, token?: string): Promise<{ status: string; events: { eventType: string }[] }> {
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const sent = await fetch(`${gatewayUrl}/commands`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: 1 } }),
  });
  if (sent.status === 400) throw new Error(`refused: ${JSON.stringify(await sent.json())}`); // { error, problems: ["data.by: …"] }
  if (sent.status === 503) throw new Error('Kafka did not take it; resend with the same commandUuid');
  const { poll } = (await sent.json()) as { poll: string };
  const outcome = await fetch(`${gatewayUrl}${poll}?wait=10000`, { headers });
  return (await outcome.json()) as { status: string; events: { eventType: string }[] };
}
// #endregion http-client

// #region embedded-gateway
/** The gateway and UI inside an application's own process, beside its other parts. */
export async function embeddedGateway(runtime: Runtime): Promise<string> {
  const gateway = await createGateway(runtime, { host: '127.0.0.1', port: 0 });
  try {
    const health = await fetch(`${gateway.url}/health`);
    assert.equal(health.status, 200);
    return gateway.url;
  } finally {
    await gateway.close();
  }
}
// #endregion embedded-gateway
