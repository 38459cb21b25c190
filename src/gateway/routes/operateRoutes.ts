import { Registry } from 'prom-client';
import { pipelineRegistry, registerPipelineGauges, type PipelineSnapshot } from '../../metrics/index.ts';
import type { GatewayContext } from '../context.ts';
import { withDeadline } from '../deadline.ts';
import { HttpError, json } from '../http.ts';
import { openApiDocument } from '../openapi.ts';
import { deadLetterCounts, pipelineSnapshot, projectionOverviews } from '../queries/pipelineOverview.ts';
import { readDeadLetters, retryDeadLetter } from '../queries/deadLetterMessages.ts';
import { clearHaltOf, retryParked, skipParked } from '../queries/failureActions.ts';
import { pageSize, requireUuid, wholeNumber } from '../queries/input.ts';
import { projectionNamed } from '../queries/projectionRows.ts';
import type { Route } from '../router.ts';

/** A scrape storm reads Kafka and Postgres at most once a second. */
function memoized<T>(work: () => Promise<T>, ms: number): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > ms) last = { at: Date.now(), value: work() };
    return last.value;
  };
}

async function check(work: () => Promise<unknown>): Promise<string> {
  try {
    await withDeadline(work(), 3000, 'it');
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}

function wholeParam(value: string, name: string): bigint {
  if (!/^\d{1,18}$/.test(value)) throw new HttpError(400, `${name} must be a whole number`, [`${name}: not a whole number`]);
  return BigInt(value);
}

/** Health, readiness, metrics, the OpenAPI document, projections and dead letters. */
export function operateRoutes(ctx: GatewayContext): Route[] {
  const { runtime, admin, logger } = ctx;
  const gauges = new Registry();
  const snapshot = memoized(
    () =>
      admin.use((a) => pipelineSnapshot(runtime, a), 10_000).catch((error: Error): PipelineSnapshot | undefined => {
        logger.info('metrics could not read the pipeline', { error: error.message });
        return undefined;
      }),
    1000,
  );
  registerPipelineGauges(gauges, snapshot);
  const metrics = Registry.merge([pipelineRegistry, gauges]);
  const document = openApiDocument(runtime.config, runtime.schemas, { tokenRequired: ctx.options.token !== undefined });

  return [
    { method: 'GET', pattern: '/health', public: true, handle: async () => json(200, { status: 'up' }) },
    {
      method: 'GET',
      pattern: '/ready',
      public: true,
      async handle() {
        const checks = {
          postgres: await check(() => runtime.pool.query('select 1')),
          kafka: await check(() => admin.use((a) => a.describeCluster(), 3000)),
        };
        const ready = Object.values(checks).every((c) => c === 'ok');
        return json(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
      },
    },
    {
      method: 'GET',
      pattern: '/metrics',
      handle: async () => ({ status: 200, text: await metrics.metrics(), contentType: metrics.contentType }),
    },
    { method: 'GET', pattern: '/openapi.json', handle: async () => json(200, document) },
    {
      method: 'GET',
      pattern: '/projections',
      handle: async () => json(200, await admin.use((a) => projectionOverviews(runtime, a))),
    },
    {
      method: 'GET',
      pattern: '/projections/:name',
      async handle({ params }) {
        const projection = projectionNamed(runtime.config, params.name as string);
        const [overview] = await admin.use((a) => projectionOverviews(runtime, a, projection));
        return json(200, overview);
      },
    },
    {
      method: 'POST',
      pattern: '/projections/:name/resume',
      async handle({ params, url }) {
        const projection = projectionNamed(runtime.config, params.name as string);
        const done = await clearHaltOf(runtime, projection, 'resume', wholeNumber(url, 'version'));
        logger.info('projection resumed', { projection: projection.name, version: done.version, resumed: done.cleared });
        const message = done.cleared > 0 ? `v${done.version}: the halted event will be retried` : `v${done.version} was not halted`;
        return json(200, { projection: projection.name, version: done.version, versionStatus: done.status, resumed: done.cleared, message });
      },
    },
    {
      method: 'POST',
      pattern: '/projections/:name/skip',
      async handle({ params, url }) {
        const projection = projectionNamed(runtime.config, params.name as string);
        const done = await clearHaltOf(runtime, projection, 'skip', wholeNumber(url, 'version'));
        logger.info('projection skipped its halted event', { projection: projection.name, version: done.version, skipped: done.cleared });
        const message = done.cleared > 0 ? `v${done.version}: the halted event is skipped` : `v${done.version} was not halted`;
        return json(200, { projection: projection.name, version: done.version, versionStatus: done.status, skipped: done.cleared, message });
      },
    },
    {
      method: 'POST',
      pattern: '/projections/:name/failures/:eventUuid/retry',
      async handle({ params }) {
        const projection = projectionNamed(runtime.config, params.name as string);
        const failure = await retryParked(runtime, projection, requireUuid(params.eventUuid as string, 'eventUuid'));
        logger.info('parked event applied again', { projector: failure.projector, eventUuid: failure.event_uuid });
        return json(200, { projector: failure.projector, eventUuid: failure.event_uuid, status: 'resumed' });
      },
    },
    {
      method: 'POST',
      pattern: '/projections/:name/failures/:eventUuid/skip',
      async handle({ params }) {
        const projection = projectionNamed(runtime.config, params.name as string);
        const failure = await skipParked(runtime, projection, requireUuid(params.eventUuid as string, 'eventUuid'));
        logger.info('parked event skipped', { projector: failure.projector, eventUuid: failure.event_uuid });
        return json(200, { projector: failure.projector, eventUuid: failure.event_uuid, status: 'skipped' });
      },
    },
    { method: 'GET', pattern: '/dead-letters', handle: async () => json(200, await admin.use((a) => deadLetterCounts(runtime, a))) },
    {
      method: 'GET',
      pattern: '/dead-letters/:topic',
      handle: async ({ params, url }) => json(200, await admin.use((a) => readDeadLetters(runtime, a, params.topic as string, pageSize(url, 20)), 20_000)),
    },
    {
      method: 'POST',
      pattern: '/dead-letters/:topic/:partition/:offset/retry',
      async handle({ params }) {
        const partition = Number(wholeParam(params.partition as string, 'partition'));
        const offset = wholeParam(params.offset as string, 'offset');
        const result = await admin.use((a) => retryDeadLetter(runtime, a, params.topic as string, partition, offset), 20_000);
        logger.info('dead letter sent back', { topic: params.topic, partition, offset: offset.toString(), sentTo: result.sentTo });
        return json(200, { sentTo: result.sentTo, partition, offset: offset.toString(), errorCode: result.retried.errorCode });
      },
    },
  ];
}
