import { commandTopicOf, eventTopicOf } from '../core/index.ts';
import { deadLetterTopicOf } from '../messaging/deadLetters.ts';
import { countCommandsByOutcome, listFailures, type FailureRow } from '../eventlog/index.ts';
import { clearCommands } from '../projection/failures.ts';
import { projectionGroupOf, versionOfProjector } from '../projection/names.ts';
import { formatVersionReports, versionReports, type VersionReport } from '../projection/versionReport.ts';
import { listVersions, type VersionStatus } from '../projection/versions.ts';
import { reactorGroupOf } from '../reactor/reactorRunner.ts';
import type { Runtime } from '../runtime.ts';
import { aggregateGroupOf } from '../worker/aggregateWorker.ts';
import { projectionConsistency, type ProjectionConsistency } from './consistency.ts';
import { consumerLag, messageCount, type PartitionLag } from './consumerLag.ts';

/** A halted or parked event of one version of a projection, replaying versions included. */
export interface VersionFailure extends FailureRow {
  readonly projection: string;
  readonly version: number;
  /** The version's status in projection_versions; `unrecorded` if it has none (retired and forgotten). */
  readonly versionStatus: VersionStatus | 'unrecorded';
}

export interface PipelineStatus {
  readonly lag: PartitionLag[];
  readonly failures: VersionFailure[];
  readonly deadLetters: { topic: string; count: bigint }[];
  readonly outcomes: { outcome: string; count: number }[];
  readonly consistency: ProjectionConsistency[];
  /** Every version of each projection, live or not, when asked for; not in `lag`, which quiescence waits on. */
  readonly versions?: VersionReport[];
}

export async function pipelineStatus(runtime: Runtime, options: { versions?: boolean } = {}): Promise<PipelineStatus> {
  const { config } = runtime;
  const admin = runtime.transport.admin();
  await admin.connect();
  try {
    const commandTopics = config.domains.map(commandTopicOf);
    const groups: [string, string[]][] = [
      [aggregateGroupOf(config.app), commandTopics],
      ...config.projections.map((p): [string, string[]] => [projectionGroupOf(config.app, p, runtime.readDatabase), p.sources.map((s) => eventTopicOf({ name: s }))]),
      ...config.reactors.map((r): [string, string[]] => [reactorGroupOf(config.app, r), r.sources.map((s) => eventTopicOf({ name: s }))]),
    ];
    const lag = (await Promise.all(groups.map(([group, topics]) => consumerLag(admin, group, topics)))).flat();
    const existing = new Set(await admin.listTopics());
    const dlqTopics = [...commandTopics, ...config.domains.map(eventTopicOf)].map(deadLetterTopicOf).filter((t) => existing.has(t));
    const deadLetters = await Promise.all(dlqTopics.map(async (topic) => ({ topic, count: await messageCount(admin, topic) })));
    const failures = await versionFailures(runtime);
    const outcomes = await countCommandsByOutcome(runtime.pool);
    return { lag, failures, deadLetters, outcomes, consistency: await projectionConsistency(runtime, lag), versions: options.versions ? await versionReports(runtime, admin) : undefined };
  } finally {
    await admin.disconnect();
  }
}

/** The halted and parked events of every version of the config's projections, each with its projection, version and the version's status. */
async function versionFailures(runtime: Runtime): Promise<VersionFailure[]> {
  const names = new Set(runtime.config.projections.map((p) => p.name));
  const statuses = new Map((await listVersions(runtime.readPool)).map((v) => [`${v.projection} ${v.version}`, v.status]));
  return (await listFailures(runtime.readPool)).flatMap((f) => {
    const at = versionOfProjector(f.projector);
    if (!at || !names.has(at.name)) return [];
    return [{ ...f, projection: at.name, version: at.version, versionStatus: statuses.get(`${at.name} ${at.version}`) ?? 'unrecorded' }];
  });
}

export function formatStatus(status: PipelineStatus, readDatabase?: string): string {
  const lines: string[] = ['consumer group lag (per partition)'];
  const byGroup = new Map<string, PartitionLag[]>();
  for (const row of status.lag) byGroup.set(row.group, [...(byGroup.get(row.group) ?? []), row]);
  for (const [group, rows] of byGroup) {
    const total = rows.reduce((sum, r) => sum + r.lag, 0n);
    lines.push(`  ${group}  total lag ${total}`);
    for (const r of rows) lines.push(`    ${r.topic}[${r.partition}] committed ${r.committed ?? '-'} end ${r.end} lag ${r.lag}`);
  }
  lines.push('projection consistency (lag in events; recorded → projected delay over the last applied events)');
  for (const c of status.consistency) {
    const delay = c.sample > 0 ? `p50 ${Math.round(c.delayP50Ms ?? 0)} ms, p99 ${Math.round(c.delayP99Ms ?? 0)} ms over ${c.sample}` : 'no event applied yet';
    lines.push(`  ${c.projection.padEnd(24)} lag ${c.lagEvents} events; ${delay}`);
  }
  if (status.versions) lines.push(...formatVersionReports(status.versions));
  lines.push('commands by outcome');
  for (const o of status.outcomes) lines.push(`  ${o.outcome.padEnd(9)} ${o.count}`);
  lines.push('dead letters');
  for (const d of status.deadLetters) lines.push(`  ${d.topic.padEnd(28)} ${d.count}`);
  lines.push(status.failures.length === 0 ? 'projection failures (every version): none' : 'projection failures (every version)');
  for (const f of status.failures) {
    lines.push(
      `  ${f.projection} v${f.version} (${f.versionStatus}) ${f.status.toUpperCase()} at ${f.topic}[${f.partition}]@${f.offset}: ${f.event_type} ${f.event_uuid} (aggregate ${f.aggregate_uuid})`,
    );
    lines.push(`    error: ${f.error}`);
    const clear = clearCommands(f, readDatabase);
    if (f.status === 'halted') lines.push(`    clear it: ${clear.skip} (leave it out) or ${clear.resume} (retry it)`);
  }
  return lines.join('\n');
}
