import type { Projection } from '../core/index.ts';
import { readLastProjected, readRecordedTimes } from '../eventlog/index.ts';
import { projectionGroupOf, projectorNameOf } from '../projection/names.ts';
import type { Runtime } from '../runtime.ts';
import type { PartitionLag } from './consumerLag.ts';
import { percentile } from './percentile.ts';

export interface ProjectionConsistency {
  readonly projection: string;
  /** Events on its topics it has not consumed yet. */
  readonly lagEvents: bigint;
  /** Recording → projection delay over its last `sample` applied events, in ms. */
  readonly delayP50Ms: number | null;
  readonly delayP99Ms: number | null;
  readonly sample: number;
}

const SAMPLE = 1000;

/** How far behind each projection is: in events (consumer lag) and in time (recorded → projected). */
export async function projectionConsistency(runtime: Pick<Runtime, 'pool' | 'readPool' | 'config'>, lag: readonly PartitionLag[]): Promise<ProjectionConsistency[]> {
  return Promise.all(
    runtime.config.projections.map(async (projection: Projection) => {
      const group = projectionGroupOf(runtime.config.app, projection);
      const lagEvents = lag.filter((row) => row.group === group).reduce((sum, row) => sum + row.lag, 0n);
      // projected_events may live in a read database of its own, so the two sides are read apart.
      const projected = await readLastProjected(runtime.readPool, projectorNameOf(projection), SAMPLE);
      const recordedAt = await readRecordedTimes(runtime.pool, projected.map((p) => p.eventUuid));
      const delays = projected.flatMap((p) => {
        const at = recordedAt.get(p.eventUuid);
        return at === undefined ? [] : [Math.max(0, p.projectedAt.getTime() - at.getTime())];
      });
      return {
        projection: projection.name,
        lagEvents,
        delayP50Ms: delays.length > 0 ? percentile(delays, 50) : null,
        delayP99Ms: delays.length > 0 ? percentile(delays, 99) : null,
        sample: delays.length,
      };
    }),
  );
}
