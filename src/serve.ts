// What `streamfold serve` runs: the gateway's API and the UI on one server. The UI reads through
// the gateway's queries; the gateway knows nothing of the UI.
import { silentLogger, type Logger } from './logger.ts';
import type { Runtime } from './runtime.ts';
import type { GatewayOptions } from './gateway/context.ts';
import { startGateway, type Gateway } from './gateway/server.ts';
import { uiRoutes } from './ui/uiRoutes.ts';

export type { Gateway };

/** The HTTP gateway (commands in, events and read models out, operations) and the web UI at /ui. */
export function createGateway(runtime: Runtime, options: Partial<GatewayOptions> = {}, logger: Logger = silentLogger): Promise<Gateway> {
  return startGateway(runtime, options, logger, [uiRoutes]);
}
