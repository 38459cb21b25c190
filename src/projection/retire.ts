import type { Projection } from '../core/index.ts';
import { forgetAppliedOffsets, forgetProjected, inTransaction } from '../eventlog/index.ts';
import type { Runtime } from '../runtime.ts';
import { ProjectionVersionError } from './errors.ts';
import { deleteIdleGroups } from './groups.ts';
import { projectionGroupOf, projectorNameOf, schemaOf } from './names.ts';
import { findVersion, listVersions, lockProjection } from './versions.ts';

/**
 * Retires a version that readers no longer use: its consumer group, its schema and its rows in
 * projected_events, projection_failures and projection_offsets go. The live version is refused.
 */
export async function retireVersion(runtime: Runtime, projection: Projection, version: number): Promise<'retired' | 'already retired'> {
  const { name } = projection;
  const row = await findVersion(runtime.readPool, name, version);
  if (!row) throw new ProjectionVersionError('UNKNOWN_VERSION', `${name} has no version ${version}; streamfold versions ${name} lists its versions`);
  if (row.status === 'retired') return 'already retired';
  const refuseLive = async () => {
    const others = (await listVersions(runtime.readPool, name)).filter((v) => v.version !== version && v.status !== 'retired');
    const next = others.at(-1);
    return new ProjectionVersionError(
      'LIVE_VERSION',
      `${name} v${version} is live: readers use it. ` +
        (next
          ? `Cut over to another version first: streamfold cutover ${name} --version ${next.version}`
          : `Build and cut over to another version first: streamfold replay ${name} --version ${version + 1}`),
    );
  };
  if (row.status === 'live') throw await refuseLive();

  const admin = runtime.transport.admin();
  await admin.connect();
  try {
    await deleteIdleGroups(admin, [projectionGroupOf(runtime.config.app, { name, version }, runtime.readDatabase)], `${name} v${version}`);
  } finally {
    await admin.disconnect();
  }
  const liveNow = await inTransaction(runtime.readPool, async (client) => {
    await lockProjection(client, name);
    const { rows } = await client.query<{ status: string }>('select status from projection_versions where projection = $1 and version = $2', [name, version]);
    if (rows[0]?.status === 'live') return true;
    await client.query(`drop schema if exists ${client.escapeIdentifier(schemaOf({ name, version }))} cascade`);
    // A later rebuild of it starts clean.
    await forgetProjected(client, projectorNameOf({ name, version }));
    await forgetAppliedOffsets(client, projectorNameOf({ name, version }));
    await client.query(`update projection_versions set status = 'retired', retired_at = now(), verified_at = null where projection = $1 and version = $2`, [name, version]);
    return false;
  });
  if (liveNow) throw await refuseLive();
  return 'retired';
}
