import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { createAdminHandle } from '../gateway/kafkaAdmin.ts';
import type { Transport } from '../messaging/transport.ts';
import { consumerLag, type PartitionLag } from '../operate/consumerLag.ts';
import { watchedConsumers } from './consumerMetrics.ts';
import { pipelineRegistry } from './pipelineMetrics.ts';

export interface MetricsServerOptions {
  /** 0 takes any free port (the answer's `url` says which). */
  readonly port: number;
  readonly host: string;
  readonly transport: Transport;
  readonly log?: (line: string, fields?: Record<string, unknown>) => void;
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `/metrics` for a worker, projector or reactor process: this process's counters and histograms,
 * Node's own (memory, event loop lag, GC), and the lag per partition of the consumer groups it
 * runs, read from Kafka at scrape time (at most once a second). Everything else answers 404.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const admin = createAdminHandle(options.transport);
  const own = new Registry();
  collectDefaultMetrics({ register: own });
  const readLag = memoized(async (): Promise<PartitionLag[] | undefined> => {
    try {
      const groups = watchedConsumers();
      return (await admin.use((a) => Promise.all(groups.map((g) => consumerLag(a, g.group, g.topics))), 5000)).flat();
    } catch (error) {
      options.log?.('metrics could not read consumer lag', { error: (error as Error).message });
      return undefined;
    }
  }, 1000);
  new Gauge({
    name: 'streamfold_consumer_lag',
    help: "Messages this process's consumer groups have not yet consumed, per partition (end offset minus the group's committed offset), read at scrape time.",
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [own],
    async collect() {
      this.reset();
      for (const row of (await readLag()) ?? []) this.set({ group: row.group, topic: row.topic, partition: String(row.partition) }, Number(row.lag));
    },
  });
  new Gauge({
    name: 'streamfold_consumer_lag_up',
    help: '1 when the last scrape could read the consumer lag from Kafka, 0 when it could not (streamfold_consumer_lag is then empty).',
    registers: [own],
    async collect() {
      this.set((await readLag()) ? 1 : 0);
    },
  });
  const metrics = Registry.merge([pipelineRegistry, own]);

  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('only GET /metrics is here\n');
      return;
    }
    metrics.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${error.message}\n`),
    );
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await admin.close();
    },
  };
}

/** A scrape storm reads Kafka at most once per `ms`. */
function memoized<T>(work: () => Promise<T>, ms: number): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > ms) last = { at: Date.now(), value: work() };
    return last.value;
  };
}
