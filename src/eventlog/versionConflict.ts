import { VersionConflict } from '../core/index.ts';

/** Postgres's detail of a unique violation names the key: `Key (stream_id, version)=(<uuid>, <n>) already exists.` */
const conflictingKey = /^Key \(stream_id, version\)=\(([0-9a-f-]{36}), (\d+)\) already exists/i;

/**
 * The one mapping of a unique violation (SQLSTATE 23505) on (stream_id, version) to a typed
 * VersionConflict; undefined for any other error. `expectedVersions` holds, per stream the statement
 * appended to, the version the writer's decision was based on. Postgres leaves the key out of the
 * detail only for a role that cannot read the columns, which streamfold's, appending them, can; without
 * it the first stream written is named.
 */
export function versionConflictOf(error: unknown, expectedVersions: ReadonlyMap<string, bigint>): VersionConflict | undefined {
  const pgError = error as { code?: unknown; constraint?: unknown; detail?: unknown };
  if (pgError.code !== '23505' || pgError.constraint !== 'events_stream_version') return undefined;
  const key = conflictingKey.exec(typeof pgError.detail === 'string' ? pgError.detail : '');
  const [first] = expectedVersions;
  const streamId = key?.[1]?.toLowerCase() ?? first?.[0] ?? '(unknown stream)';
  const expectedVersion = expectedVersions.get(streamId) ?? (key ? BigInt(key[2] as string) - 1n : -1n);
  return new VersionConflict(streamId, expectedVersion, { cause: error });
}
