import type { Projection } from '../core/index.ts';
import { appliedOffsets, inTransaction } from '../eventlog/index.ts';
import type { Runtime } from '../runtime.ts';
import { partitionsBehind } from './appliedOffsets.ts';
import { cutoverDefaults } from './cutoverDefaults.ts';
import { ProjectionVersionError } from './errors.ts';
import { topicsOf, versionLag } from './lag.ts';
import { projectionGroupOf, projectorNameOf, schemaOf } from './names.ts';
import { pointViewsAt } from './stableViews.ts';
import { findVersion, lockProjection } from './versions.ts';

export { cutoverDefaults };

export interface CutoverResult {
  readonly projection: string;
  readonly from: number | undefined;
  readonly to: number;
  readonly alreadyLive: boolean;
}

/**
 * Points readers at a verified, caught-up version in one transaction. In that transaction the
 * applied offsets of both versions are locked (their chunk commits wait), and the switch happens
 * only when the new version has applied at least what the live one has on every partition: a
 * reader never sees the read model go back in time. Until then it retries, for `waitMs`.
 */
export async function cutover(
  runtime: Runtime,
  projection: Projection,
  version: number,
  options: { maxLag?: bigint; waitMs?: number } = {},
): Promise<CutoverResult> {
  const { name } = projection;
  const maxLag = options.maxLag ?? cutoverDefaults.maxLag;
  const row = await findVersion(runtime.readPool, name, version);
  if (!row) throw new ProjectionVersionError('UNKNOWN_VERSION', `${name} has no version ${version}; build it first: streamfold replay ${name} --version ${version}`);
  if (row.status === 'retired') {
    throw new ProjectionVersionError('RETIRED', `${name} v${version} was retired (its schema is gone); build it again first: streamfold replay ${name} --version ${version}`);
  }
  if (row.status === 'live') return { projection: name, from: version, to: version, alreadyLive: true };
  if (!row.verified_at) {
    const why = row.verification ? 'its last verification found differences' : 'it has not been verified';
    throw new ProjectionVersionError('NOT_VERIFIED', `${name} v${version} cannot go live: ${why}. Run: streamfold verify ${name} --version ${version}`);
  }

  const projector = projectorNameOf({ name, version });
  const admin = runtime.transport.admin();
  await admin.connect();
  try {
    const group = projectionGroupOf(runtime.config.app, { name, version }, runtime.readDatabase);
    const { lag } = await versionLag(admin, runtime.readPool, topicsOf(runtime, projection), projector, group);
    if (lag > maxLag) {
      throw new ProjectionVersionError(
        'LAGGING',
        `${name} v${version} is ${lag} events behind the head of its topics (more than --max-lag ${maxLag}). ` +
          `Let it catch up (streamfold replay ${name} --version ${version} shows its progress), then run the cutover again.`,
      );
    }
  } finally {
    await admin.disconnect();
  }

  const deadline = Date.now() + (options.waitMs ?? cutoverDefaults.waitMs);
  for (;;) {
    const attempt = await inTransaction(runtime.readPool, async (client) => {
      await lockProjection(client, name);
      const live = (await client.query<{ version: number }>(`select version from projection_versions where projection = $1 and status = 'live'`, [name])).rows[0];
      if (live) {
        const liveProjector = projectorNameOf({ name, version: live.version });
        const offsets = await appliedOffsets(client, [liveProjector, projector], true);
        const behind = partitionsBehind(offsets.get(liveProjector) ?? [], offsets.get(projector) ?? []);
        if (behind.length > 0) return { behind, live: live.version };
      }
      await client.query(`update projection_versions set status = 'superseded' where projection = $1 and status = 'live'`, [name]);
      await client.query(`update projection_versions set status = 'live', live_since = now() where projection = $1 and version = $2`, [name, version]);
      await pointViewsAt(client, projection, schemaOf({ name, version }));
      return { behind: [], live: live?.version };
    });
    if (attempt.behind.length === 0) return { projection: name, from: attempt.live, to: version, alreadyLive: false };
    if (Date.now() > deadline) {
      const where = attempt.behind.map((b) => `${b.topic}[${b.partition}] (v${attempt.live} at ${b.live}, v${version} at ${b.candidate})`).join(', ');
      throw new ProjectionVersionError(
        'BEHIND_LIVE',
        `${name} v${version} has applied less than the live v${attempt.live} on ${where}; switching now would take readers back in time. ` +
          `Make sure its projector runs (streamfold replay ${name} --version ${version}) and run the cutover again.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
