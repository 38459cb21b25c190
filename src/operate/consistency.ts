import type { Projection } from '../core/index.ts';
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
      const projected = await runtime.readPool.query<{ event_uuid: string; projected_at: Date }>(
        'select event_uuid::text, projected_at from projected_events where projector = $1 order by projected_at desc limit $2',
        [projectorNameOf(projection), SAMPLE],
      );
      const recorded = await runtime.pool.query<{ event_uuid: string; recorded_at: Date }>(
        'select event_uuid::text, recorded_at from events where event_uuid = any($1::uuid[])',
        [projected.rows.map((r) => r.event_uuid)],
      );
      const recordedAt = new Map(recorded.rows.map((r) => [r.event_uuid, r.recorded_at.getTime()]));
      const delays = projected.rows.flatMap((r) => {
        const at = recordedAt.get(r.event_uuid);
        return at === undefined ? [] : [Math.max(0, r.projected_at.getTime() - at)];
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
