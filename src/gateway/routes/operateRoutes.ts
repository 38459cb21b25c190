import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { pipelineRegistry, registerPipelineGauges, type PipelineSnapshot } from '../../metrics/index.ts';
import { actionAnswers, jsonAnswer, limit, readAnswers, uuid, wholeText } from '../apiSchemas.ts';
import type { GatewayContext } from '../context.ts';
import { asyncApiDocument } from '../asyncapi.ts';
import { withDeadline } from '../deadline.ts';
import { deadLetterCounts, pipelineSnapshot, projectionOverviews } from '../queries/pipelineOverview.ts';
import { readDeadLetters } from '../queries/deadLetterMessages.ts';
import { discardDeadLetterBy, retryDeadLetterBy } from '../../operate/deadLetterActions.ts';
import { clearHaltOf, retryParked, skipParked } from '../queries/failureActions.ts';
import { projectionNamed } from '../queries/projectionRows.ts';
import { forgetDataSubject } from '../../projection/forgetSubject.ts';

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

const params = (properties: Record<string, unknown>) => ({ type: 'object', properties, required: Object.keys(properties) });
const versionQuery = {
  type: 'object',
  properties: { version: { type: 'integer', minimum: 1, description: 'a projection version (a whole number from 1) to act on; default: the live one, else the one the code declares; the answer names it' } },
};

/** Health, readiness, metrics, the OpenAPI and AsyncAPI documents, projections and dead letters. */
export function operateRoutes(app: FastifyInstance, ctx: GatewayContext): void {
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
  // Listed, not enforced: an unknown name answers 404 naming the projections there are.
  const projectionName = { type: 'string', examples: runtime.config.projections.map((p) => p.name), description: 'a projection of the config' };
  const named = (name: string) => projectionNamed(runtime.config, name);
  const version = (asked: number | undefined) => (asked === undefined ? undefined : BigInt(asked));

  app.get('/health', { config: { public: true }, schema: { summary: 'The process is up', security: [], response: { 200: jsonAnswer('up', { type: 'object' }) } } }, async () => ({ status: 'up' }));
  app.get(
    '/ready',
    {
      config: { public: true },
      schema: { summary: 'Postgres and Kafka answer', security: [], response: { 200: jsonAnswer('ready', { type: 'object' }), 503: jsonAnswer('not ready; says which part', { type: 'object' }) } },
    },
    async (_request, reply) => {
      const checks = {
        postgres: await check(() => runtime.pool.query('select 1')),
        kafka: await check(() => admin.use((a) => a.describeCluster(), 3000)),
      };
      const ready = Object.values(checks).every((c) => c === 'ok');
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
    },
  );
  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (text exposition format)', response: { 200: { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.metrics()),
  );
  app.get('/openapi.json', { schema: { summary: 'This document', response: { 200: jsonAnswer('the document', { type: 'object' }) } } }, async () => app.swagger());
  const topics = asyncApiDocument(runtime.config, runtime.schemas);
  app.get('/asyncapi.json', { schema: { summary: 'The AsyncAPI 3.0 document of the Kafka topics', response: { 200: jsonAnswer('the document', { type: 'object' }) } } }, async () => topics);

  app.get('/projections', { schema: { summary: 'Every projection: versions, status, lag per partition, failures', response: readAnswers({ type: 'array' }) } }, async () =>
    admin.use((a) => projectionOverviews(runtime, a)),
  );
  app.get<{ Params: { name: string } }>(
    '/projections/:name',
    { schema: { summary: 'One projection: versions, lag per partition, failures, tables', params: params({ name: projectionName }), response: readAnswers({ type: 'object' }) } },
    async (request) => {
      const [overview] = await admin.use((a) => projectionOverviews(runtime, a, named(request.params.name)));
      return overview;
    },
  );
  app.post<{ Params: { name: string }; Querystring: { version?: number } }>(
    '/projections/:name/resume',
    { schema: { summary: 'A halted projection version retries the event that stopped it', params: params({ name: projectionName }), querystring: versionQuery, response: actionAnswers } },
    async (request) => {
      const projection = named(request.params.name);
      const done = await clearHaltOf(runtime, projection, 'resume', version(request.query.version));
      logger.info('projection resumed', { projection: projection.name, version: done.version, resumed: done.cleared });
      const message = done.cleared > 0 ? `v${done.version}: the halted event will be retried` : `v${done.version} was not halted`;
      return { projection: projection.name, version: done.version, versionStatus: done.status, resumed: done.cleared, message };
    },
  );
  app.post<{ Params: { name: string }; Querystring: { version?: number } }>(
    '/projections/:name/skip',
    { schema: { summary: 'A halted projection version marks its event projected without applying it, and goes on', params: params({ name: projectionName }), querystring: versionQuery, response: actionAnswers } },
    async (request) => {
      const projection = named(request.params.name);
      const done = await clearHaltOf(runtime, projection, 'skip', version(request.query.version));
      logger.info('projection skipped its halted event', { projection: projection.name, version: done.version, skipped: done.cleared });
      const message = done.cleared > 0 ? `v${done.version}: the halted event is skipped` : `v${done.version} was not halted`;
      return { projection: projection.name, version: done.version, versionStatus: done.status, skipped: done.cleared, message };
    },
  );
  const parkedEvent = params({ name: projectionName, eventUuid: { ...uuid, description: 'the parked event' } });
  app.post<{ Params: { name: string; eventUuid: string } }>(
    '/projections/:name/failures/:eventUuid/retry',
    { schema: { summary: 'Apply a parked event again', params: parkedEvent, response: actionAnswers } },
    async (request) => {
      const failure = await retryParked(runtime, named(request.params.name), request.params.eventUuid.toLowerCase());
      logger.info('parked event applied again', { projector: failure.projector, eventUuid: failure.event_uuid });
      return { projector: failure.projector, eventUuid: failure.event_uuid, status: 'resumed' };
    },
  );
  app.post<{ Params: { name: string; eventUuid: string } }>(
    '/projections/:name/failures/:eventUuid/skip',
    { schema: { summary: 'Mark a parked event projected without applying it', params: parkedEvent, response: actionAnswers } },
    async (request) => {
      const failure = await skipParked(runtime, named(request.params.name), request.params.eventUuid.toLowerCase());
      logger.info('parked event skipped', { projector: failure.projector, eventUuid: failure.event_uuid });
      return { projector: failure.projector, eventUuid: failure.event_uuid, status: 'skipped' };
    },
  );

  const topic = { type: 'string', maxLength: 249, description: 'a dead-letter topic of the config' };
  app.get('/dead-letters', { schema: { summary: 'Dead-letter topics and how many messages each holds', response: readAnswers({ type: 'array' }) } }, async () =>
    admin.use((a) => deadLetterCounts(runtime, a)),
  );
  app.get<{ Params: { topic: string }; Querystring: { limit: number } }>(
    '/dead-letters/:topic',
    {
      schema: {
        summary: 'The newest messages of a dead-letter topic, with their error and source',
        params: params({ topic }),
        querystring: { type: 'object', properties: { limit: { ...limit, default: 20 } } },
        response: readAnswers({ type: 'array' }),
      },
    },
    async (request) => admin.use((a) => readDeadLetters(runtime, a, request.params.topic, request.query.limit), 20_000),
  );
  const letterAt = params({ topic, partition: wholeText(9, 'a whole number, a partition'), offset: wholeText(18, 'a whole number, an offset') });
  // Who acted, for dead_letter_actions: the caller may name itself; the gateway knows no person.
  const byQuery = { type: 'object', properties: { by: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000]+$', description: 'who acts, for the audit record (no U+0000: it is stored as text); default `http`' } } };
  const actions = [
    ['retry', 'Send a dead-lettered message back to its source topic', retryDeadLetterBy, 'dead letter sent back'],
    ['discard', 'Mark a dead-lettered message discarded (Kafka keeps it until retention)', discardDeadLetterBy, 'dead letter discarded'],
  ] as const;
  for (const [action, summary, act, logLine] of actions) {
    app.post<{ Params: { topic: string; partition: string; offset: string }; Querystring: { by?: string } }>(
      `/dead-letters/:topic/:partition/:offset/${action}`,
      { schema: { summary: `${summary}; recorded with who did it`, params: letterAt, querystring: byQuery, response: actionAnswers } },
      async (request) => {
        const partition = Number(request.params.partition);
        const offset = BigInt(request.params.offset);
        const done = await admin.use((a) => act(runtime, a, request.params.topic, partition, offset, request.query.by ?? 'http'), 20_000);
        logger.info(logLine, { topic: request.params.topic, partition, offset: offset.toString(), sentTo: done.sentTo, by: done.actor });
        return { ...(done.sentTo ? { sentTo: done.sentTo } : {}), partition, offset: offset.toString(), errorCode: done.errorCode, action: done.action, by: done.actor, at: done.actedAt };
      },
    );
  }

  app.post<{ Params: { subjectUuid: string }; Querystring: { by?: string } }>(
    '/subjects/:subjectUuid/forget',
    {
      schema: {
        summary: "Crypto-shredding: destroy a data subject's key (their personal fields read as [erased] everywhere) and erase them from read models; recorded with who did it",
        params: params({ subjectUuid: { ...uuid, description: 'the data subject (a student_uuid, a reciter_uuid)' } }),
        querystring: byQuery,
        response: actionAnswers,
      },
    },
    async (request) => {
      const report = await forgetDataSubject(runtime, request.params.subjectUuid, request.query.by ?? 'http');
      logger.info('data subject forgotten', { subject: report.subject, by: report.forgottenBy, keyDestroyed: report.keyDestroyed });
      return { subject: report.subject, by: report.forgottenBy, at: report.forgottenAt, keyDestroyed: report.keyDestroyed, readModels: report.readModels };
    },
  );
}
