import type { Runtime } from '../runtime.ts';
import { shown } from './arguments.ts';
import { UsageError } from './usageError.ts';

export const metricsPortHelp = 'serve Prometheus /metrics on this port, 0 for any free one (STREAMFOLD_METRICS_PORT; default: none)';

export interface MetricsListen {
  readonly port: number;
  readonly host: string;
}

/** `--metrics-port` wins over STREAMFOLD_METRICS_PORT; neither (or an empty variable) means no metrics server. */
export function metricsListen(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): MetricsListen | undefined {
  const raw = flag ?? (env.STREAMFOLD_METRICS_PORT === '' ? undefined : env.STREAMFOLD_METRICS_PORT);
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new UsageError(`--metrics-port (STREAMFOLD_METRICS_PORT): ${shown(raw)} is not a port (a whole number from 0 to 65535; 0 for any free one)`);
  return { port, host: env.STREAMFOLD_METRICS_HOST || '127.0.0.1' };
}

/** Starts the process's /metrics when asked; the returned part stops with the process's others. */
export async function startMetricsIfAsked(
  listen: MetricsListen | undefined,
  runtime: Runtime,
  log: (line: string, fields?: Record<string, unknown>) => void,
): Promise<{ stop(): Promise<void> }[]> {
  if (!listen) return [];
  const { startMetricsServer } = await import('../metrics/metricsServer.ts');
  const server = await startMetricsServer({ ...listen, transport: runtime.transport, log });
  log('metrics listening', { url: server.url });
  return [{ stop: () => server.close() }];
}
