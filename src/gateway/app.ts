import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { requestAnswered } from '../metrics/index.ts';
import { addApiSchemas } from './apiSchemas.ts';
import { authenticate, checkHost, checkSameOrigin } from './auth.ts';
import type { GatewayContext } from './context.ts';
import { HttpError, securityHeaders, toJson } from './http.ts';
import { errorAnswer, routeMiss, schemaRefusal } from './refusals.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Pages a browser may reach without a token, to log in (and their stylesheet and script), and /health, /ready. */
    readonly public?: boolean;
  }
}

/**
 * The fastify instance every route is added to: the host check, who may call, same-origin posts,
 * the security headers on every answer, metrics, JSON errors `{ error, problems }`, 404 and 405,
 * and the OpenAPI document (@fastify/swagger) from the routes' schemas.
 */
export async function gatewayApp(ctx: GatewayContext): Promise<FastifyInstance> {
  const { options, logger, runtime } = ctx;
  const app = Fastify({
    bodyLimit: options.maxBodyBytes,
    // A client that trickles its body is cut off instead of holding a socket.
    requestTimeout: 60_000,
    forceCloseConnections: true,
    // Every parameter's problem in one answer, with the value that failed.
    ajv: { customOptions: { allErrors: true, verbose: true } },
    schemaErrorFormatter: (errors, part) => schemaRefusal(errors as Parameters<typeof schemaRefusal>[0], part),
    // A path fastify cannot decode (bad percent-encoding) never reaches a route or a hook.
    frameworkErrors: (error, _request, reply) => {
      void (reply as unknown as FastifyReply).code(400).headers(securityHeaders).send({ error: `the request target is not a URL path: ${error.message}` });
    },
  });
  // A client that trickles its headers is cut off too.
  app.server.headersTimeout = 10_000;
  // JSON is the API's one body; a form post would skip the browser's CORS preflight.
  app.removeContentTypeParser('text/plain');
  // Response schemas document the answers; the bodies are written as they are, bigints as strings.
  app.setReplySerializer(toJson);
  app.setSerializerCompiler(() => toJson);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `streamfold gateway: ${runtime.config.app}`, version: '1', description: "Commands in, events and read models out. Written from the Avro schemas in the config's avro folder." },
      ...(options.token !== undefined ? { security: [{ bearer: [] }] } : {}),
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the token given to `streamfold serve --token` (STREAMFOLD_HTTP_TOKEN)' } } },
    },
    // The document is OpenAPI 3.1, which has JSON Schema's const.
    convertConstToEnum: false,
    // Components keep the names they were added under (`AddPeriodCommand`), not def-0, def-1…
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  addApiSchemas(app, runtime.config, runtime.schemas);

  app.addHook('onRequest', async (request) => {
    checkHost(request, options.host);
    // An unknown path answers 404 before any credential is asked for, as the route table is no secret.
    if (request.is404) return;
    if (!request.routeOptions.config.public && authenticate(request, options.token) === undefined) {
      throw new HttpError(401, 'this gateway needs `Authorization: Bearer <token>` (the token given to streamfold serve)', [], { 'WWW-Authenticate': 'Bearer' });
    }
    if (request.method === 'POST') checkSameOrigin(request);
  });
  app.addHook('onSend', async (_request, reply) => {
    for (const [name, value] of Object.entries(securityHeaders)) if (!reply.hasHeader(name)) reply.header(name, value);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requestAnswered(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    logger.debug('request answered', { method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) });
  });

  app.setErrorHandler(async (error, request, reply) => {
    const answer = errorAnswer(error, request, logger);
    return reply
      .code(answer.status)
      .headers(answer.headers)
      .send({ error: answer.message, ...(answer.problems.length > 0 ? { problems: answer.problems } : {}) });
  });
  app.setNotFoundHandler(async (request) => {
    throw routeMiss(app, request);
  });
  return app;
}
