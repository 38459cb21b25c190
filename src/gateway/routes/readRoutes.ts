import type { GatewayContext } from '../context.ts';
import { HttpError, json } from '../http.ts';
import { readCorrelationTree } from '../queries/correlationTree.ts';
import { nextLink, pageSize, requireUuid, wholeNumber } from '../queries/input.ts';
import { readProjectionRows } from '../queries/projectionRows.ts';
import { readStreamPage } from '../queries/streamPage.ts';
import type { Route } from '../router.ts';

const rowParameters = new Set(['limit', 'after', 'version']);

/** The event log and the read models, as JSON. */
export function readRoutes(ctx: GatewayContext): Route[] {
  const { runtime } = ctx;
  return [
    {
      method: 'GET',
      pattern: '/streams/:aggregateUuid',
      async handle({ params, url }) {
        const aggregateUuid = requireUuid(params.aggregateUuid as string, 'aggregateUuid');
        const { nextAfter, ...page } = await readStreamPage(runtime.pool, aggregateUuid, wholeNumber(url, 'after') ?? 0n, pageSize(url));
        if (page.events.length === 0 && !url.searchParams.has('after')) throw new HttpError(404, `no events for aggregate ${aggregateUuid}`);
        return json(200, { ...page, next: nextAfter === undefined ? null : nextLink(url, { after: nextAfter.toString() }) });
      },
    },
    {
      method: 'GET',
      pattern: '/correlations/:correlationId',
      async handle({ params }) {
        const correlationId = requireUuid(params.correlationId as string, 'correlationId');
        const tree = await readCorrelationTree(runtime.pool, runtime.config, correlationId);
        if (tree.commands === 0) throw new HttpError(404, `nothing carries correlation id ${correlationId}`);
        return json(200, tree);
      },
    },
    {
      method: 'GET',
      pattern: '/projections/:name/:table',
      async handle({ params, url }) {
        const where = new Map([...url.searchParams].filter(([key]) => !rowParameters.has(key)));
        const { nextAfter, ...page } = await readProjectionRows(runtime.readPool, runtime.config, params.name as string, params.table as string, {
          limit: pageSize(url),
          after: url.searchParams.get('after') ?? undefined,
          version: wholeNumber(url, 'version'),
          where,
        });
        return json(200, { ...page, next: nextAfter === undefined ? null : nextLink(url, { after: nextAfter }) });
      },
    },
  ];
}
