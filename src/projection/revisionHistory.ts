import { ProjectionVersionError } from './errors.ts';

/** One row of a revisions projection (`defineRevisionsProjection`): the entity's content after a change. */
export interface Revision {
  readonly version: bigint;
  readonly event_type: string;
  readonly event_uuid: string;
  readonly content: Record<string, unknown>;
  readonly created_at: Date;
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
