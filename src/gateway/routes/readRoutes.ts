import type { FastifyInstance, FastifyRequest } from 'fastify';
import { limit, readAnswers, ref, uuid, wholeText } from '../apiSchemas.ts';
import type { GatewayContext } from '../context.ts';
import { HttpError } from '../http.ts';
import { readCorrelationTree } from '../queries/correlationTree.ts';
import { nextLink } from '../queries/input.ts';
import { readProjectionRows } from '../queries/projectionRows.ts';
import { readStreamPage } from '../queries/streamPage.ts';

const rowParameters = new Set(['limit', 'after', 'version']);
const urlOf = (request: FastifyRequest) => new URL(request.url, 'http://gateway');

interface RowsRequest {
  Params: { name: string; table: string };
  Querystring: { limit: number; after?: string; version?: number };
}

/** The event log and the read models, as JSON. */
export function readRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const { runtime } = ctx;

  app.get<{ Params: { aggregateUuid: string }; Querystring: { limit: number; after?: string } }>(
    '/streams/:aggregateUuid',
    {
      schema: {
        summary: "An aggregate's history in version order, each event with the command that caused it",
        params: { type: 'object', properties: { aggregateUuid: { ...uuid, description: 'the aggregate' } }, required: ['aggregateUuid'] },
        querystring: { type: 'object', properties: { limit, after: wholeText(18, 'a whole number, the version to start after') } },
        response: readAnswers(ref('StreamPage')),
      },
    },
    async (request) => {
      const aggregateUuid = request.params.aggregateUuid.toLowerCase();
      const { nextAfter, ...page } = await readStreamPage(runtime.pool, aggregateUuid, BigInt(request.query.after ?? 0), request.query.limit, runtime.codec.personalFields);
      if (page.events.length === 0 && request.query.after === undefined) throw new HttpError(404, `no events for aggregate ${aggregateUuid}`);
      return { ...page, next: nextAfter === undefined ? null : nextLink(urlOf(request), { after: nextAfter.toString() }) };
    },
  );

  app.get<{ Params: { correlationId: string } }>(
    '/correlations/:correlationId',
    {
      schema: {
        summary: 'Everything one correlation id touched, as a tree: command → events → reactor commands → events',
        params: { type: 'object', properties: { correlationId: { ...uuid, description: 'a correlation id' } }, required: ['correlationId'] },
        response: readAnswers({ type: 'object' }),
      },
    },
    async (request) => {
      const correlationId = request.params.correlationId.toLowerCase();
      const tree = await readCorrelationTree(runtime.pool, runtime.config, correlationId, undefined, runtime.codec.personalFields);
      if (tree.commands === 0) throw new HttpError(404, `nothing carries correlation id ${correlationId}`);
      return tree;
    },
  );

  const rowsQuery = {
    type: 'object',
    properties: { limit, after: { type: 'string', maxLength: 4096, description: "the previous page's cursor" }, version: { type: 'integer', minimum: 1, description: 'a projection version' } },
  };
  const readRows = async (request: FastifyRequest<RowsRequest>, name: string, table: string) => {
    const url = urlOf(request);
    const where = new Map([...url.searchParams].filter(([key]) => !rowParameters.has(key)));
    const { query } = request;
    const version = query.version === undefined ? undefined : BigInt(query.version);
    const { nextAfter, ...page } = await readProjectionRows(runtime.readPool, runtime.config, name, table, { limit: query.limit, after: query.after, version, where });
    return { ...page, next: nextAfter === undefined ? null : nextLink(url, { after: nextAfter }) };
  };
  // Each table of the config is a path of its own in the OpenAPI document.
  for (const projection of runtime.config.projections) {
    for (const table of projection.tables) {
      app.get<RowsRequest>(
        `/projections/${projection.name}/${table}`,
        {
          schema: {
            summary: `Rows of ${projection.name}.${table} (the live version), in primary key order. Other query parameters filter on a column's text value.`,
            querystring: rowsQuery,
            response: readAnswers(ref('RowsPage')),
          },
        },
        (request) => readRows(request, projection.name, table),
      );
    }
  }
  // Any other name answers 404 naming the projections and tables there are.
  app.get<RowsRequest>('/projections/:name/:table', { schema: { hide: true, querystring: rowsQuery } }, (request) => readRows(request, request.params.name, request.params.table));
}
