import type { Pool } from '../eventlog/index.ts';
import { ProjectionVersionError } from './errors.ts';

export interface Revision {
  readonly version: bigint;
  readonly event_type: string;
  readonly event_uuid: string;
  readonly content: Record<string, unknown>;
  readonly created_at: Date;
}

/** An entity's revisions, oldest first, read through the stable schema (the live version). */
export async function listRevisions(db: Pool, stableSchema: string, entity: string, entityUuid: string): Promise<Revision[]> {
  const table = `"${stableSchema}".revisions`;
  const { rows } = await db
    .query<Revision & Record<string, unknown>>(
      `select version, event_type, event_uuid::text, content, created_at from ${table} where entity = $1 and entity_uuid = $2 order by version`,
      [entity.toLowerCase(), entityUuid],
    )
    .catch((error: { code?: string }) => {
      // 42P01: no such relation, so no version of the projection is live in this database yet.
      if (error.code !== '42P01') throw error;
      throw new ProjectionVersionError('UNKNOWN_VERSION', `${stableSchema} has no live version in this database yet; start it: streamfold project --projection ${stableSchema}`);
    });
  if (rows.length === 0) {
    const known = (await db.query<{ entity: string }>(`select distinct entity from ${table} order by entity`)).rows.map((r) => r.entity);
    if (!known.includes(entity.toLowerCase())) {
      throw new ProjectionVersionError('UNKNOWN_ENTITY', `no entity named ${entity} has revisions; the entities with revisions are: ${known.join(', ') || '(none yet)'}`);
    }
  }
  return rows;
}

export interface FieldChange {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** The top-level fields whose values differ between two contents, in field order. */
export function diffContent(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return fields
    .filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]))
    .map((field) => ({ field, before: before[field], after: after[field] }));
}

/** Two revisions of one entity by version; a missing one is refused with the versions there are. */
export function pickRevisions(revisions: readonly Revision[], a: bigint, b: bigint): [Revision, Revision] {
  const find = (v: bigint) => revisions.find((r) => r.version === v);
  const [first, second] = [find(a), find(b)];
  if (!first || !second) {
    throw new ProjectionVersionError(
      'UNKNOWN_REVISION',
      `there is no revision ${!first ? a : b}; the revisions are versions ${revisions.map((r) => r.version).join(', ')} (--diff takes two of them)`,
    );
  }
  return [first, second];
}
