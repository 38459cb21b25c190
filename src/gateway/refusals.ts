import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../logger.ts';
import { TimedOut } from './deadline.ts';
import { HttpError, isHttpError } from './http.ts';

/** What any failure answers, before it is written as JSON (the API) or as a page (the UI). */
export interface ErrorAnswer {
  readonly status: number;
  readonly message: string;
  readonly problems: readonly string[];
  readonly headers: Record<string, string>;
}

interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  readonly data?: unknown;
  readonly parentSchema?: { readonly format?: string; readonly description?: string };
}

const partNames: Record<string, string> = { params: 'path', querystring: 'query', body: 'body', headers: 'headers' };

/**
 * A route's schema refused a path or query parameter (fastify's schemaErrorFormatter): one 400
 * naming every failing parameter, as "<name>: "<value>" is not <what the schema describes>".
 */
export function schemaRefusal(errors: readonly SchemaError[], part: string): HttpError {
  const byField = new Map<string, string>();
  for (const error of errors) {
    let field = error.instancePath.split('/').filter(Boolean).join('.');
    let problem: string;
    if (error.keyword === 'required') {
      field = [field, String(error.params.missingProperty)].filter(Boolean).join('.');
      problem = 'missing';
    } else if (error.keyword === 'additionalProperties') {
      field = [field, String(error.params.additionalProperty).slice(0, 100)].filter(Boolean).join('.');
      problem = 'not a parameter here';
    } else {
      const what = error.parentSchema?.format === 'uuid' ? 'a uuid' : (error.parentSchema?.description ?? error.message ?? 'valid');
      problem = `${JSON.stringify(error.data)?.slice(0, 100)} is not ${what}`;
    }
    const named = field || `(the ${partNames[part] ?? part})`;
    if (!byField.has(named)) byField.set(named, `${named}: ${problem}`);
  }
  const problems = [...byField.values()];
  return new HttpError(400, `the request's ${partNames[part] ?? part} is refused: ${problems.join('; ')}`, problems);
}

/** 405 with Allow when another method has a route at this path, else 404. */
export function routeMiss(app: FastifyInstance, request: FastifyRequest): HttpError {
  const path = request.url.split('?')[0] ?? '/';
  const allowed = ['GET', 'POST'].filter((method) => method !== request.method && app.findRoute({ method, url: path }) !== null);
  if (allowed.length > 0) return new HttpError(405, `${request.method} is not allowed here; use ${allowed.join(' or ')}`, [], { Allow: allowed.join(', ') });
  return new HttpError(404, `nothing at ${path.slice(0, 200)}; the API is described at /openapi.json and the UI is at /ui`);
}

/** Kafka or Postgres being away is the operator's 503, not the gateway's 500. */
function unavailableDependency(error: unknown): 'Kafka' | 'Postgres' | undefined {
  if (error instanceof TimedOut) return error.message.startsWith('Postgres') ? 'Postgres' : 'Kafka';
  if (error instanceof Error && error.name.startsWith('KafkaJS')) return 'Kafka';
  const code = (error as { code?: string } | undefined)?.code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08001', '08006'].includes(code)) return 'Postgres';
  return undefined;
}

/** fastify's own refusals (body parsing and limits), in the gateway's words. */
function frameworkRefusal(error: Error & { code?: string; statusCode?: number }, request: FastifyRequest): HttpError | undefined {
  const status = error.statusCode ?? 0;
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    return new HttpError(415, `send the body as Content-Type: application/json (got ${type ? JSON.stringify(type.slice(0, 100)) : 'none'})`);
  }
  // The rest of the body is never read, so the connection cannot be reused.
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new HttpError(413, `the request body exceeds the limit of ${request.routeOptions.bodyLimit} bytes (--max-body-bytes)`, [], { Connection: 'close' });
  const notJson = ['FST_ERR_CTP_EMPTY_JSON_BODY', 'FST_ERR_CTP_INVALID_JSON_BODY'].includes(error.code ?? '') || (error instanceof SyntaxError && status === 400);
  if (notJson) return new HttpError(400, `the body is not JSON: ${error.message}`);
  if (status >= 400 && status < 500) return new HttpError(status, error.message);
  return undefined;
}

/** Any failure of a request as the status, message and headers to answer; an unexpected one is logged, never shown. */
export function errorAnswer(error: unknown, request: FastifyRequest, logger: Logger): ErrorAnswer {
  const refusal = isHttpError(error) ? error : error instanceof Error ? frameworkRefusal(error, request) : undefined;
  if (refusal) return { status: refusal.status, message: refusal.message, problems: refusal.problems, headers: refusal.headers };
  const down = unavailableDependency(error);
  if (down) {
    const message = error instanceof TimedOut ? error.message : `${down} did not answer: ${(error as Error).message}`;
    // The operator's log says which dependency, on which route, as the client is told.
    logger.warn('request failed: a dependency is unavailable', { route: request.routeOptions.url ?? 'unmatched', dependency: down, error: message });
    return { status: 503, message, problems: [], headers: { 'Retry-After': '5' } };
  }
  // The client learns only that it failed; the log keeps the reason (never a request's data or credentials).
  logger.info('request failed', {
    route: request.routeOptions.url ?? 'unmatched',
    error: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? error.stack : undefined,
  });
  return { status: 500, message: 'the gateway failed to answer; its log says why', problems: [], headers: {} };
}
