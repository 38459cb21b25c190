import { commandTopicOf, eventTopicOf, type Projection } from '../../core/index.ts';
import { countCommandsByOutcome, listFailures, readLogHead, type FailureRow } from '../../eventlog/index.ts';
import { deadLetterTopicOf } from '../../messaging/deadLetters.ts';
import type { TransportAdmin } from '../../messaging/transport.ts';
import type { PipelineSnapshot } from '../../metrics/index.ts';
import { consumerLag, messageCount, type PartitionLag } from '../../operate/consumerLag.ts';
import { projectionGroupOf } from '../../projection/names.ts';
import { listVersions, type ProjectionVersion } from '../../projection/versions.ts';
import { reactorGroupOf } from '../../reactor/reactorRunner.ts';
import type { Runtime } from '../../runtime.ts';
import { aggregateGroupOf } from '../../worker/aggregateWorker.ts';

export interface VersionOverview {
  readonly version: number;
  /** From projection_versions; `not started` when no projector has set the version up yet. */
  readonly status: ProjectionVersion['status'] | 'not started';
  readonly liveSince: Date | null;
  readonly verifiedAt: Date | null;
  readonly group: string;
  readonly lag: PartitionLag[];
  readonly totalLag: bigint;
}

export interface ProjectionOverview {
  readonly name: string;
  readonly codeVersion: number;
  readonly sources: readonly string[];
  readonly tables: readonly string[];
  readonly failurePolicy: string;
  readonly versions: VersionOverview[];
  readonly failures: FailureRow[];
  /** One word for the list: halted, catching up, current, or not started. */
  readonly state: 'halted' | 'catching up' | 'current' | 'not started';
}

/** Lag is only what Kafka knows: a version retired or not begun has no group worth asking about. */
const consuming = (status: VersionOverview['status']) => status !== 'retired';

/** How each projection version is doing: its status, lag per partition, and failures. */
export async function projectionOverviews(runtime: Runtime, admin: TransportAdmin, only?: Projection): Promise<ProjectionOverview[]> {
  const projections = only ? [only] : runtime.config.projections;
  const versions = await listVersions(runtime.readPool, only?.name);
  const failures = await listFailures(runtime.readPool);
  return Promise.all(
    projections.map(async (projection) => {
      const topics = projection.sources.map((name) => eventTopicOf({ name }));
      const known = versions.filter((v) => v.projection === projection.name);
      const rows = known.length > 0 ? known : [{ version: projection.version, status: 'not started' as const, live_since: null, verified_at: null }];
      const overviews = await Promise.all(
        rows.map(async (v): Promise<VersionOverview> => {
          const group = projectionGroupOf(runtime.config.app, { name: projection.name, version: v.version }, runtime.readDatabase);
          const lag = consuming(v.status) ? await consumerLag(admin, group, topics) : [];
          return { version: v.version, status: v.status, liveSince: v.live_since, verifiedAt: v.verified_at, group, lag, totalLag: lag.reduce((sum, r) => sum + r.lag, 0n) };
        }),
      );
      const prefix = `${projection.name}_v`;
      const own = failures.filter((f) => f.projector.startsWith(prefix) && /^\d+$/.test(f.projector.slice(prefix.length)));
      const live = overviews.find((v) => v.status === 'live');
      const state = own.some((f) => f.status === 'halted')
        ? 'halted'
        : !live
          ? 'not started'
          : live.totalLag > 0n
            ? 'catching up'
            : 'current';
      return { name: projection.name, codeVersion: projection.version, sources: projection.sources, tables: projection.tables, failurePolicy: projection.failurePolicy ?? 'halt', versions: overviews, failures: own, state };
    }),
  );
}

/** Every dead-letter topic of the config's domains that exists, with how many messages it holds. */
export async function deadLetterCounts(runtime: Runtime, admin: TransportAdmin): Promise<{ topic: string; count: bigint }[]> {
  const existing = new Set(await admin.listTopics());
  const topics = runtime.config.domains.flatMap((d) => [commandTopicOf(d), eventTopicOf(d)]).map(deadLetterTopicOf).filter((t) => existing.has(t));
  return Promise.all(topics.map(async (topic) => ({ topic, count: await messageCount(admin, topic) })));
}

export async function commandOutcomes(runtime: Runtime): Promise<{ outcome: string; count: number }[]> {
  return countCommandsByOutcome(runtime.pool);
}

/** What /metrics reports at scrape time, read from Kafka and Postgres in one go. */
export async function pipelineSnapshot(runtime: Runtime, admin: TransportAdmin): Promise<PipelineSnapshot> {
  const { config } = runtime;
  const projections = await projectionOverviews(runtime, admin);
  const others = [
    [aggregateGroupOf(config.app), config.domains.map(commandTopicOf)] as const,
    ...config.reactors.map((r) => [reactorGroupOf(config.app, r), r.sources.map((name) => eventTopicOf({ name }))] as const),
  ];
  const otherLag = (await Promise.all(others.map(([group, topics]) => consumerLag(admin, group, topics)))).flat();
  const projectionLag = projections.flatMap((p) => p.versions.flatMap((v) => v.lag.map((row) => ({ ...row, projection: { name: p.name, version: v.version } }))));
  const failureCounts = new Map<string, number>();
  for (const p of projections) for (const f of p.failures) failureCounts.set(`${p.name}\u0000${f.status}`, (failureCounts.get(`${p.name}\u0000${f.status}`) ?? 0) + 1);
  return {
    consumerLag: [...otherLag, ...projectionLag],
    deadLetters: await deadLetterCounts(runtime, admin),
    commandOutcomes: await commandOutcomes(runtime),
    projectionFailures: [...failureCounts].map(([key, count]) => {
      const [projection, status] = key.split('\u0000') as [string, string];
      return { projection, status, count };
    }),
    logHead: await readLogHead(runtime.pool),
  };
}
