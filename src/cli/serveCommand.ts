import type { Command } from 'commander';
import { loadConfig } from '../config/streamfoldConfig.ts';
import { isLoopback } from '../gateway/auth.ts';
import { gatewayDefaults, type GatewayOptions } from '../gateway/context.ts';
import { UsageError } from './usageError.ts';

interface ServeFlags {
  host?: string;
  port?: string;
  token?: string;
  maxBodyBytes?: string;
}

function whole(raw: string, what: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new UsageError(`${what} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  return value;
}

/** Flags win over variables, variables over defaults; every value is checked before anything starts. */
export function serveOptions(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): Partial<GatewayOptions> {
  const pick = (flag: string | undefined, variable: string) => flag ?? (env[variable] === '' ? undefined : env[variable]);
  const token = pick(flags.token, 'STREAMFOLD_HTTP_TOKEN');
  if (token !== undefined && token.trim().length < 16) throw new UsageError('the token (--token or STREAMFOLD_HTTP_TOKEN) must be at least 16 characters; `openssl rand -hex 32` makes a good one');
  const port = pick(flags.port, 'STREAMFOLD_HTTP_PORT');
  const maxBody = pick(flags.maxBodyBytes, 'STREAMFOLD_HTTP_MAX_BODY_BYTES');
  return {
    host: pick(flags.host, 'STREAMFOLD_HTTP_HOST') ?? gatewayDefaults.host,
    port: port === undefined ? gatewayDefaults.port : whole(port, '--port (STREAMFOLD_HTTP_PORT)', 0, 65535),
    token,
    maxBodyBytes: maxBody === undefined ? gatewayDefaults.maxBodyBytes : whole(maxBody, '--max-body-bytes (STREAMFOLD_HTTP_MAX_BODY_BYTES)', 1, 64 * 1024 * 1024),
  };
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('the HTTP command gateway and the web UI of streams, commands and projections')
    .option('--host <address>', `address to listen on (STREAMFOLD_HTTP_HOST; default ${gatewayDefaults.host})`)
    .option('--port <port>', `port to listen on, 0 for any free one (STREAMFOLD_HTTP_PORT; default ${gatewayDefaults.port})`)
    .option('--token <token>', 'require Authorization: Bearer <token> on every request but /health and /ready (STREAMFOLD_HTTP_TOKEN; prefer the variable: flags show in ps)')
    .option('--max-body-bytes <n>', `refuse larger request bodies with 413 (STREAMFOLD_HTTP_MAX_BODY_BYTES; default ${gatewayDefaults.maxBodyBytes})`)
    .action(async (flags: ServeFlags) => {
      const options = serveOptions(flags);
      // Imported when the command runs, so `--help` and the other commands start quickly.
      const [{ createGateway }, { createLogger }, { openRuntime }] = await Promise.all([import('../serve.ts'), import('../logger.ts'), import('../runtime.ts')]);
      const logger = createLogger('gateway');
      const runtime = await openRuntime(await loadConfig(), 'gateway');
      const gateway = await createGateway(runtime, options, logger);
      // The token itself is never logged, only whether one is required.
      logger.info('gateway listening', { url: gateway.url, ui: `${gateway.url}/ui`, auth: options.token ? 'bearer token' : 'none' });
      if (!options.token && !isLoopback(options.host ?? gatewayDefaults.host)) {
        logger.info('warning: listening beyond this machine with no token; anyone who reaches the port can send commands. Set STREAMFOLD_HTTP_TOKEN.');
      }
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', () => resolve());
        process.once('SIGINT', () => resolve());
      });
      logger.info('stopping');
      await gateway.close();
      await runtime.close();
    });
}
