import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { silentLogger, type Logger } from '../logger.ts';
import type { Runtime } from '../runtime.ts';
import { gatewayApp } from './app.ts';
import { createCommandIntake } from './commandIntake.ts';
import { gatewayDefaults, type GatewayContext, type GatewayOptions } from './context.ts';
import { createAdminHandle } from './kafkaAdmin.ts';
import { commandRoutes } from './routes/commandRoutes.ts';
import { operateRoutes } from './routes/operateRoutes.ts';
import { readRoutes } from './routes/readRoutes.ts';

export interface Gateway {
  /** http://host:port, with the port the server got (useful with port 0). */
  readonly url: string;
  readonly server: http.Server;
  close(): Promise<void>;
}

/** Something served beside the API on the same instance (the UI): adds its routes, reading through the same context. */
export type GatewayPart = (app: FastifyInstance, ctx: GatewayContext) => Promise<void>;

/** The HTTP gateway's API, and the parts given, listening on options.host and options.port. */
export async function startGateway(runtime: Runtime, options: Partial<GatewayOptions> = {}, logger: Logger = silentLogger, parts: readonly GatewayPart[] = []): Promise<Gateway> {
  const settings: GatewayOptions = { ...gatewayDefaults, ...options };
  const ctx: GatewayContext = {
    runtime,
    options: settings,
    intake: createCommandIntake(runtime, settings.produceTimeoutMs),
    admin: createAdminHandle(runtime.transport),
    logger,
  };
  const app = await gatewayApp(ctx);
  app.addHook('onClose', async () => {
    await ctx.intake.close();
    await ctx.admin.close();
  });
  try {
    commandRoutes(app, ctx);
    readRoutes(app, ctx);
    operateRoutes(app, ctx);
    for (const part of parts) await app.register(async (scope) => part(scope, ctx));
    await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    await app.close();
    throw error;
  }
  const { address, port } = app.server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return { url: `http://${host}:${port}`, server: app.server, close: () => app.close() };
}
