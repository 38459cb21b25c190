import { Gauge, type Registry } from 'prom-client';

/** What Kafka and Postgres say about the whole pipeline, whichever processes run its parts. */
export interface PipelineSnapshot {
  readonly consumerLag: readonly {
    readonly group: string;
    readonly topic: string;
    readonly partition: number;
    readonly lag: bigint;
    /** Set for a projection version's group. */
    readonly projection?: { readonly name: string; readonly version: number };
  }[];
  readonly deadLetters: readonly { readonly topic: string; readonly count: bigint }[];
  readonly commandOutcomes: readonly { readonly outcome: string; readonly count: number }[];
  readonly projectionFailures: readonly { readonly projection: string; readonly status: string; readonly count: number }[];
  /** The highest event log position: how many events were ever appended, give or take rolled-back ids. */
  readonly logHead: bigint;
}

/**
 * Gauges read at scrape time. `snapshot` is asked once per scrape however many gauges collect
 * (the caller memoizes it), and a scrape whose snapshot fails reports `streamfold_pipeline_up 0`
 * instead of failing the whole endpoint.
 */
export function registerPipelineGauges(registry: Registry, snapshot: () => Promise<PipelineSnapshot | undefined>): void {
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>, s: PipelineSnapshot) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        const s = await snapshot();
        if (s) fill(this, s);
      },
    });

  new Gauge({
    name: 'streamfold_pipeline_up',
    help: '1 when the last scrape could read Kafka and Postgres, 0 when it could not (the other pipeline gauges are then empty).',
    registers: [registry],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
  gauge('streamfold_projection_lag', 'Messages a projection version has not yet consumed, per event topic partition.', ['projection', 'version', 'topic', 'partition'], (g, s) => {
    for (const row of s.consumerLag) {
      if (!row.projection) continue;
      g.set({ projection: row.projection.name, version: String(row.projection.version), topic: row.topic, partition: String(row.partition) }, Number(row.lag));
    }
  });
  gauge('streamfold_consumer_lag', 'Messages a consumer group (aggregates, projections, reactors) has not yet consumed, per partition.', ['group', 'topic', 'partition'], (g, s) => {
    for (const row of s.consumerLag) g.set({ group: row.group, topic: row.topic, partition: String(row.partition) }, Number(row.lag));
  });
  gauge('streamfold_dead_letter_messages', 'Messages now in each dead-letter topic.', ['topic'], (g, s) => {
    for (const row of s.deadLetters) g.set({ topic: row.topic }, Number(row.count));
  });
  gauge('streamfold_commands_archived', 'Commands in the command archive by outcome (pending: received, not yet decided).', ['outcome'], (g, s) => {
    for (const row of s.commandOutcomes) g.set({ outcome: row.outcome }, row.count);
  });
  gauge('streamfold_projection_failures', 'Events a projection could not apply, halted or parked.', ['projection', 'status'], (g, s) => {
    for (const row of s.projectionFailures) g.set({ projection: row.projection, status: row.status }, row.count);
  });
  gauge('streamfold_event_log_head', 'The highest position in the event log.', [], (g, s) => g.set(Number(s.logHead)));
}
