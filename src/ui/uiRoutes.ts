import { correlationExists, findProcessedCommand, streamExists } from '../eventlog/index.ts';
import { isTokenCorrect, sessionCookieHeader } from '../gateway/auth.ts';
import type { GatewayContext } from '../gateway/context.ts';
import { HttpError, readForm, type Reply } from '../gateway/http.ts';
import { clearHaltOf, retryParked, skipParked } from '../gateway/queries/failureActions.ts';
import { retryDeadLetter } from '../gateway/queries/deadLetterMessages.ts';
import { requireUuid, wholeNumber } from '../gateway/queries/input.ts';
import { projectionNamed } from '../gateway/queries/projectionRows.ts';
import type { Route, RouteRequest } from '../gateway/router.ts';
import { script, stylesheet } from './assets.ts';
import { html, uiPath, type SafeHtml } from './html.ts';
import { page } from './layout.ts';
import { commandPage } from './pages/command.ts';
import { correlationPage } from './pages/correlation.ts';
import { deadLettersPage } from './pages/deadLetters.ts';
import { loginPage } from './pages/login.ts';
import { overviewPage } from './pages/overview.ts';
import { projectionPage, tablePage } from './pages/projection.ts';
import { streamPage } from './pages/stream.ts';

/** Only a path of this UI may follow a login or an action: no open redirect to another site. */
const localUiPath = (path: string | null) => (path && /^\/ui(\/|\?|$)/.test(path) && !path.includes('//') && !path.includes('\\') ? path : '/ui');

const back = (path: string, notice: string): Reply => ({ status: 303, redirect: `${path}?notice=${encodeURIComponent(notice)}` });

/** The browser view: server-rendered pages whose live regions app.js refreshes. */
export function uiRoutes(ctx: GatewayContext): Route[] {
  const app = ctx.runtime.config.app;
  const render = (request: RouteRequest, view: { title: string; body: SafeHtml }, live = true): Reply => ({
    status: 200,
    html: page({ title: view.title, app, refreshMs: live ? ctx.options.refreshMs : undefined, notice: request.url.searchParams.get('notice') }, view.body),
  });
  const get = (pattern: string, view: (request: RouteRequest) => Promise<{ title: string; body: SafeHtml }>, live = true): Route => ({
    method: 'GET',
    pattern,
    handle: async (request) => render(request, await view(request), live),
  });
  const post = (pattern: string, act: (request: RouteRequest) => Promise<Reply>): Route => ({ method: 'POST', pattern, handle: act });

  return [
    { method: 'GET', pattern: '/', public: true, handle: async () => ({ status: 303, redirect: '/ui' }) },
    // Browsers ask for it on every page; an empty answer keeps the logs and the console quiet.
    { method: 'GET', pattern: '/favicon.ico', public: true, handle: async () => ({ status: 204, text: '', contentType: 'image/x-icon' }) },
    { method: 'GET', pattern: '/ui/style.css', public: true, handle: async () => ({ status: 200, text: stylesheet, contentType: 'text/css; charset=utf-8' }) },
    { method: 'GET', pattern: '/ui/app.js', public: true, handle: async () => ({ status: 200, text: script, contentType: 'text/javascript; charset=utf-8' }) },
    {
      method: 'GET',
      pattern: '/ui/login',
      public: true,
      handle: async (request) => render(request, loginPage(localUiPath(request.url.searchParams.get('next')), false), false),
    },
    {
      method: 'POST',
      pattern: '/ui/login',
      public: true,
      async handle(request) {
        const form = await readForm(request.raw, 4096);
        const next = localUiPath(form.get('next'));
        const token = ctx.options.token;
        if (token === undefined) return { status: 303, redirect: next };
        if (!isTokenCorrect(form.get('token') ?? '', token)) {
          ctx.logger.info('ui login refused: wrong token');
          return { status: 401, html: page({ title: 'Log in', app }, loginPage(next, true).body) };
        }
        return { status: 303, redirect: next, headers: { 'Set-Cookie': sessionCookieHeader(token) } };
      },
    },
    get('/ui', async () => ({ title: 'Overview', body: await overviewPage(ctx) })),
    {
      method: 'GET',
      pattern: '/ui/find',
      handle: async ({ url }) => ({ status: 303, redirect: await whereIs(ctx, requireUuid((url.searchParams.get('id') ?? '').trim(), 'id')) }),
    },
    get('/ui/streams/:aggregateUuid', ({ params, url }) => streamPage(ctx, params.aggregateUuid as string, url)),
    get('/ui/commands/:commandUuid', ({ params }) => commandPage(ctx, params.commandUuid as string)),
    get('/ui/correlations/:correlationId', ({ params }) => correlationPage(ctx, params.correlationId as string)),
    get('/ui/projections/:name', ({ params }) => projectionPage(ctx, params.name as string)),
    get('/ui/projections/:name/:table', ({ params, url }) => tablePage(ctx, params.name as string, params.table as string, url)),
    get('/ui/dead-letters/:topic', ({ params, url }) => deadLettersPage(ctx, params.topic as string, url), false),
    post('/ui/projections/:name/resume', async ({ params, url }) => {
      const projection = projectionNamed(ctx.runtime.config, params.name as string);
      const done = await clearHaltOf(ctx.runtime, projection, 'resume', wholeNumber(url, 'version'));
      return back(uiPath('projections', projection.name), done.cleared > 0 ? `Resumed v${done.version}: the halted event will be retried.` : `v${done.version} was not halted.`);
    }),
    post('/ui/projections/:name/skip', async ({ params, url }) => {
      const projection = projectionNamed(ctx.runtime.config, params.name as string);
      const done = await clearHaltOf(ctx.runtime, projection, 'skip', wholeNumber(url, 'version'));
      return back(uiPath('projections', projection.name), done.cleared > 0 ? `Skipped the halted event of v${done.version}.` : `v${done.version} was not halted.`);
    }),
    post('/ui/projections/:name/failures/:eventUuid/retry', async ({ params }) => {
      const projection = projectionNamed(ctx.runtime.config, params.name as string);
      const failure = await retryParked(ctx.runtime, projection, requireUuid(params.eventUuid as string, 'event'));
      return back(uiPath('projections', projection.name), `Applied ${failure.event_type} ${failure.event_uuid} again.`);
    }),
    post('/ui/projections/:name/failures/:eventUuid/skip', async ({ params }) => {
      const projection = projectionNamed(ctx.runtime.config, params.name as string);
      const failure = await skipParked(ctx.runtime, projection, requireUuid(params.eventUuid as string, 'event'));
      return back(uiPath('projections', projection.name), `Skipped ${failure.event_type} ${failure.event_uuid}.`);
    }),
    post('/ui/dead-letters/:topic/:partition/:offset/retry', async ({ params }) => {
      const topic = params.topic as string;
      if (!/^\d{1,9}$/.test(params.partition as string) || !/^\d{1,18}$/.test(params.offset as string)) throw new HttpError(400, 'partition and offset must be whole numbers');
      const result = await ctx.admin.use((a) => retryDeadLetter(ctx.runtime, a, topic, Number(params.partition), BigInt(params.offset as string)), 20_000);
      return back(uiPath('dead-letters', topic), `Sent ${params.partition}@${params.offset} back to ${result.sentTo}.`);
    }),
  ];
}

/** Where a uuid leads: a stream, a command, or a correlation; a page saying so when none. */
async function whereIs(ctx: GatewayContext, id: string): Promise<string> {
  const { pool } = ctx.runtime;
  if (await streamExists(pool, id)) return uiPath('streams', id);
  if (await findProcessedCommand(pool, id)) return uiPath('commands', id);
  if (await correlationExists(pool, id)) return uiPath('correlations', id);
  throw new HttpError(404, `nothing in the event log or the command archive has the id ${id}`);
}

/** An error as a page, for the browser; the API answers the same errors as JSON. */
export function errorPage(app: string, status: number, message: string, problems: readonly string[]): string {
  return page(
    { title: `${status}`, app },
    html`<h1>${status}</h1><p class="problem">${message}</p>${problems.length > 0 ? html`<ul>${problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}
<p><a href="/ui">Back to the overview</a></p>`,
  );
}
