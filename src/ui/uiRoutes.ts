import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { correlationExists, findProcessedCommand, streamExists } from '../eventlog/index.ts';
import { isTokenCorrect, sessionCookieHeader } from '../gateway/auth.ts';
import type { GatewayContext } from '../gateway/context.ts';
import { HttpError } from '../gateway/http.ts';
import { clearHaltOf, retryParked, skipParked } from '../gateway/queries/failureActions.ts';
import { discardDeadLetterBy, retryDeadLetterBy } from '../operate/deadLetterActions.ts';
import { requireUuid, wholeNumber } from '../gateway/queries/input.ts';
import { projectionNamed } from '../gateway/queries/projectionRows.ts';
import { errorAnswer, routeMiss } from '../gateway/refusals.ts';
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
import { startThroughputSampler } from './throughputSamples.ts';

type Params = Record<string, string>;
type UiRequest = FastifyRequest<{ Params: Params; Body: URLSearchParams | undefined }>;
type View = { title: string; body: SafeHtml };

/** Only a path of this UI may follow a login or an action: no open redirect to another site. */
const localUiPath = (path: string | null | undefined) => (path && /^\/ui(\/|\?|$)/.test(path) && !path.includes('//') && !path.includes('\\') ? path : '/ui');

const urlOf = (request: FastifyRequest) => new URL(request.url, 'http://gateway');
const back = (reply: FastifyReply, path: string, notice: string) => reply.redirect(`${path}?notice=${encodeURIComponent(notice)}`, 303);
const asPage = (reply: FastifyReply, status: number, text: string) => reply.code(status).type('text/html; charset=utf-8').send(text);

/**
 * The browser view, added to the gateway's fastify instance: server-rendered pages whose live
 * regions app.js refreshes, and their errors as pages. It reads through the gateway's queries.
 */
export async function uiRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const appName = ctx.runtime.config.app;
  // Pages, not API: none of them is in the OpenAPI document.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  // The chart's points: a sample every two and a half refreshes of the page (5 s by default).
  const sampler = startThroughputSampler(ctx, Math.max(1000, ctx.options.refreshMs * 2.5));
  app.addHook('onClose', async () => sampler.stop());
  app.get('/', { config: { public: true } }, (_request, reply) => reply.redirect('/ui', 303));
  // Browsers ask for it on every page; an empty answer keeps the logs and the console quiet.
  app.get('/favicon.ico', { config: { public: true } }, (_request, reply) => reply.code(204).type('image/x-icon').send());

  await app.register(
    async (ui) => {
      // The login form and the action buttons post forms; nothing else is read from a body here.
      ui.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => done(null, new URLSearchParams(body as string)));
      ui.setErrorHandler(async (error, request, reply) => {
        const answer = errorAnswer(error, request, ctx.logger);
        if (answer.status === 401 && request.method === 'GET') return reply.redirect(`/ui/login?next=${encodeURIComponent(request.url)}`, 303);
        return asPage(reply.headers(answer.headers), answer.status, errorPage(appName, answer.status, answer.message, answer.problems));
      });
      ui.setNotFoundHandler(async (request) => {
        throw routeMiss(ui, request);
      });

      const render = (request: FastifyRequest, reply: FastifyReply, view: View, live = true) =>
        asPage(reply, 200, page({ title: view.title, app: appName, refreshMs: live ? ctx.options.refreshMs : undefined, notice: urlOf(request).searchParams.get('notice') }, view.body));
      const get = (path: string, view: (request: UiRequest) => Promise<View>, live = true) =>
        ui.get<{ Params: Params }>(path, async (request, reply) => render(request, reply, await view(request as UiRequest), live));
      const post = (path: string, act: (request: UiRequest, reply: FastifyReply) => Promise<FastifyReply>) =>
        ui.post<{ Params: Params; Body: URLSearchParams | undefined }>(path, (request, reply) => act(request, reply));

      ui.get('/style.css', { config: { public: true } }, (_request, reply) => reply.type('text/css; charset=utf-8').send(stylesheet));
      ui.get('/app.js', { config: { public: true } }, (_request, reply) => reply.type('text/javascript; charset=utf-8').send(script));
      ui.get('/login', { config: { public: true } }, async (request, reply) => render(request, reply, loginPage(localUiPath(urlOf(request).searchParams.get('next')), false), false));
      ui.post<{ Body: URLSearchParams | undefined }>('/login', { config: { public: true } }, async (request, reply) => {
        const form = request.body ?? new URLSearchParams();
        const next = localUiPath(form.get('next'));
        const token = ctx.options.token;
        if (token === undefined) return reply.redirect(next, 303);
        if (!isTokenCorrect(form.get('token') ?? '', token)) {
          ctx.logger.info('ui login refused: wrong token');
          return asPage(reply, 401, page({ title: 'Log in', app: appName }, loginPage(next, true).body));
        }
        return reply.header('Set-Cookie', sessionCookieHeader(token)).redirect(next, 303);
      });
      get('/', async () => ({ title: 'Overview', body: await overviewPage(ctx, sampler.samples()) }));
      ui.get('/find', async (request, reply) => reply.redirect(await whereIs(ctx, requireUuid((urlOf(request).searchParams.get('id') ?? '').trim(), 'id')), 303));
      get('/streams/:aggregateUuid', (request) => streamPage(ctx, request.params.aggregateUuid as string, urlOf(request)));
      get('/commands/:commandUuid', (request) => commandPage(ctx, request.params.commandUuid as string));
      get('/correlations/:correlationId', (request) => correlationPage(ctx, request.params.correlationId as string));
      get('/projections/:name', (request) => projectionPage(ctx, request.params.name as string));
      get('/projections/:name/:table', (request) => tablePage(ctx, request.params.name as string, request.params.table as string, urlOf(request)));
      get('/dead-letters/:topic', (request) => deadLettersPage(ctx, request.params.topic as string, urlOf(request)), false);
      post('/projections/:name/resume', async (request, reply) => {
        const projection = projectionNamed(ctx.runtime.config, request.params.name as string);
        const done = await clearHaltOf(ctx.runtime, projection, 'resume', wholeNumber(urlOf(request), 'version'));
        return back(reply, uiPath('projections', projection.name), done.cleared > 0 ? `Resumed v${done.version}: the halted event will be retried.` : `v${done.version} was not halted.`);
      });
      post('/projections/:name/skip', async (request, reply) => {
        const projection = projectionNamed(ctx.runtime.config, request.params.name as string);
        const done = await clearHaltOf(ctx.runtime, projection, 'skip', wholeNumber(urlOf(request), 'version'));
        return back(reply, uiPath('projections', projection.name), done.cleared > 0 ? `Skipped the halted event of v${done.version}.` : `v${done.version} was not halted.`);
      });
      post('/projections/:name/failures/:eventUuid/retry', async (request, reply) => {
        const projection = projectionNamed(ctx.runtime.config, request.params.name as string);
        const failure = await retryParked(ctx.runtime, projection, requireUuid(request.params.eventUuid as string, 'event'));
        return back(reply, uiPath('projections', projection.name), `Applied ${failure.event_type} ${failure.event_uuid} again.`);
      });
      post('/projections/:name/failures/:eventUuid/skip', async (request, reply) => {
        const projection = projectionNamed(ctx.runtime.config, request.params.name as string);
        const failure = await skipParked(ctx.runtime, projection, requireUuid(request.params.eventUuid as string, 'event'));
        return back(reply, uiPath('projections', projection.name), `Skipped ${failure.event_type} ${failure.event_uuid}.`);
      });
      for (const action of ['retry', 'discard'] as const) {
        post(`/dead-letters/:topic/:partition/:offset/${action}`, async (request, reply) => {
          const { topic, partition, offset } = request.params as { topic: string; partition: string; offset: string };
          if (!/^\d{1,9}$/.test(partition) || !/^\d{1,18}$/.test(offset)) throw new HttpError(400, 'partition and offset must be whole numbers');
          // Recorded in dead_letter_actions as the UI's doing: the gateway knows no person.
          const act = action === 'retry' ? retryDeadLetterBy : discardDeadLetterBy;
          const done = await ctx.admin.use((a) => act(ctx.runtime, a, topic, Number(partition), BigInt(offset), 'ui'), 20_000);
          return back(reply, uiPath('dead-letters', topic), done.sentTo ? `Sent ${partition}@${offset} back to ${done.sentTo}.` : `Discarded ${partition}@${offset}.`);
        });
      }
    },
    { prefix: '/ui' },
  );
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
