import fs from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { pipelineRegistry, registerPipelineGauges } from '../../src/metrics/index.ts';

const dashboardFile = path.join(import.meta.dirname, '../../docs/grafana-dashboard.json');

interface Panel {
  readonly title: string;
  readonly targets: readonly { readonly expr: string }[];
}

describe('docs/grafana-dashboard.json', () => {
  const dashboard = JSON.parse(fs.readFileSync(dashboardFile, 'utf8')) as { panels: Panel[]; __inputs: { name: string }[] };

  it('queries only metrics streamfold registers', async () => {
    const gauges = new Registry();
    registerPipelineGauges(gauges, async () => undefined);
    const known = new Set([
      ...[...pipelineRegistry.getMetricsAsArray(), ...gauges.getMetricsAsArray()].map((m) => m.name),
      // The gauges of a worker's, projector's or reactor's own /metrics (src/metrics/metricsServer.ts).
      'streamfold_consumer_lag_up',
    ]);
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b(streamfold_\w+?)(?:_bucket|_count|_sum)?\b/g)].map((m) => m[1] as string)));
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !known.has(name))).toEqual([]);
  });

  it('has the panels the README names, each on an imported Prometheus data source', () => {
    const titles = dashboard.panels.map((p) => p.title);
    for (const title of ['Commands decided by outcome', 'Chunk duration p50 / p99', 'Transaction and produce p50 / p99', 'Consumer lag per partition', 'Dead letters', 'Consumer crashes and rebalances']) {
      expect(titles).toContain(title);
    }
    expect(dashboard.__inputs.map((i) => i.name)).toEqual(['DS_PROMETHEUS']);
    expect(fs.readFileSync(dashboardFile, 'utf8')).toContain('histogram_quantile(0.99');
  });
});
