import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../logger.ts';
import { requestAnswered } from '../metrics/index.ts';
import type { Runtime } from '../runtime.ts';
import { errorPage, uiRoutes } from '../ui/uiRoutes.ts';
import { authenticate, checkHost, checkSameOrigin } from './auth.ts';
import { createCommandIntake } from './commandIntake.ts';
import { TimedOut } from './deadline.ts';
import { gatewayDefaults, type GatewayContext, type GatewayOptions } from './context.ts';
import { HttpError, isHttpError, writeReply, type Reply } from './http.ts';
import { createAdminHandle } from './kafkaAdmin.ts';
import { commandRoutes } from './routes/commandRoutes.ts';
import { operateRoutes } from './routes/operateRoutes.ts';
import { readRoutes } from './routes/readRoutes.ts';
import { findRoute, type Match } from './router.ts';

export interface Gateway {
  /** http://host:port, with the port the server got (useful with port 0). */
  readonly url: string;
  readonly server: http.Server;
  close(): Promise<void>;
}

const wantsHtml = (path: string) => path === '/ui' || path.startsWith('/ui/');

/**
 * The HTTP gateway and the UI in one node:http server. A dozen routes and no middleware needs
 * did not pay for a framework: the router is one small function and every answer goes through
 * writeReply, which adds the security headers.
 */
export async function createGateway(runtime: Runtime, options: Partial<GatewayOptions> = {}, logger: Logger = silentLogger): Promise<Gateway> {
  const settings: GatewayOptions = { ...gatewayDefaults, ...options };
  const ctx: GatewayContext = {
    runtime,
    options: settings,
    intake: createCommandIntake(runtime, settings.produceTimeoutMs),
    admin: createAdminHandle(runtime.transport),
    logger,
  };
  const routes = [...commandRoutes(ctx), ...readRoutes(ctx), ...operateRoutes(ctx), ...uiRoutes(ctx)];

  const answer = async (request: IncomingMessage, path: string, url: URL, match: Match): Promise<Reply> => {
    const auth = match.route.public ? 'open' : authenticate(request, settings.token);
    if (auth === undefined) {
      if (wantsHtml(path) && request.method === 'GET') return { status: 303, redirect: `/ui/login?next=${encodeURIComponent(path + url.search)}` };
      throw new HttpError(401, 'this gateway needs `Authorization: Bearer <token>` (the token given to streamfold serve)', [], { 'WWW-Authenticate': 'Bearer' });
    }
    if (request.method === 'POST') checkSameOrigin(request);
    return match.route.handle({ raw: request, url, params: match.params, auth });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    let route = 'unmatched';
    let path = '/';
    let reply: Reply;
    try {
      checkHost(request, settings.host);
      let url: URL;
      try {
        url = new URL(request.url ?? '/', 'http://gateway');
      } catch {
        throw new HttpError(400, 'the request target is not a URL path');
      }
      path = url.pathname;
      const match = findRoute(routes, request.method ?? 'GET', path);
      route = match.route.pattern;
      reply = await answer(request, path, url, match);
    } catch (error) {
      reply = failure(error, path, runtime.config.app, logger, route);
    }
    if (!response.headersSent) writeReply(response, reply);
    requestAnswered(request.method ?? 'GET', route, reply.status, (performance.now() - started) / 1000);
    logger.debug('request answered', { method: request.method, route, status: reply.status, ms: Math.round(performance.now() - started) });
  };

  const server = http.createServer((request, response) => void handle(request, response));
  // A client that trickles its headers or body is cut off instead of holding a socket.
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    server,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await ctx.intake.close();
      await ctx.admin.close();
    },
  };
}

/** Kafka or Postgres being away is the operator's 503, not the gateway's 500. */
function unavailableDependency(error: unknown): 'Kafka' | 'Postgres' | undefined {
  if (error instanceof TimedOut) return error.message.startsWith('Postgres') ? 'Postgres' : 'Kafka';
  if (error instanceof Error && error.name.startsWith('KafkaJS')) return 'Kafka';
  const code = (error as { code?: string } | undefined)?.code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08001', '08006'].includes(code)) return 'Postgres';
  return undefined;
}

function failure(error: unknown, path: string, app: string, logger: Logger, route: string): Reply {
  if (isHttpError(error)) {
    if (wantsHtml(path)) return { status: error.status, html: errorPage(app, error.status, error.message, error.problems), headers: error.headers };
    return { status: error.status, json: { error: error.message, ...(error.problems.length > 0 ? { problems: error.problems } : {}) }, headers: error.headers };
  }
  const down = unavailableDependency(error);
  if (down) {
    const message = error instanceof TimedOut ? error.message : `${down} did not answer: ${(error as Error).message}`;
    return wantsHtml(path) ? { status: 503, html: errorPage(app, 503, message, []) } : { status: 503, json: { error: message }, headers: { 'Retry-After': '5' } };
  }
  // The client learns only that it failed; the log keeps the reason (never a request's data or credentials).
  logger.info('request failed', { route, error: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined });
  const message = "the gateway failed to answer; its log says why";
  return wantsHtml(path) ? { status: 500, html: errorPage(app, 500, message, []) } : { status: 500, json: { error: message } };
}
