import { Counter } from 'prom-client';
import type { TransportConsumer } from '../messaging/transport.ts';
import { pipelineRegistry } from './pipelineMetrics.ts';

const crashes = new Counter({
  name: 'streamfold_consumer_crashes_total',
  help: 'Times a consumer of this process crashed, by group; restarted="true" when the client started it again on its own, "false" when the process must be restarted.',
  labelNames: ['group', 'restarted'] as const,
  registers: [pipelineRegistry],
});

const rebalances = new Counter({
  name: 'streamfold_consumer_rebalances_total',
  help: 'Rebalances a consumer of this process took part in, by group.',
  labelNames: ['group'] as const,
  registers: [pipelineRegistry],
});

/** A consumer group this process runs, and the topics it reads: what the lag gauge asks Kafka about. */
export interface WatchedConsumer {
  readonly group: string;
  readonly topics: readonly string[];
}

const watched = new Set<WatchedConsumer>();

/** The consumer groups of this process now, for the lag gauge of `--metrics-port`. */
export const watchedConsumers = (): readonly WatchedConsumer[] => [...watched];

/**
 * Counts a consumer's crashes and rebalances and lists its group for the lag gauge; the returned
 * function forgets it (when the consumer stops).
 */
export function watchConsumer(consumer: Pick<TransportConsumer, 'on'>, group: string, topics: readonly string[]): () => void {
  const entry: WatchedConsumer = { group, topics };
  watched.add(entry);
  const removers = [
    consumer.on('crash', ({ restart }) => crashes.inc({ group, restarted: String(restart) })),
    consumer.on('rebalancing', () => rebalances.inc({ group })),
  ];
  return () => {
    watched.delete(entry);
    for (const remove of removers) remove();
  };
}
