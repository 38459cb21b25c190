import type { Projection } from '../core/index.ts';

/** A projection version is a consumer group plus a Postgres schema of its own. */
export const projectorNameOf = (p: Pick<Projection, 'name' | 'version'>) => `${p.name}_v${p.version}`;
export const schemaOf = projectorNameOf;

/** The projection and version a projector name stands for: `counters_v2` is counters v2. */
export function versionOfProjector(projector: string): { name: string; version: number } | undefined {
  const match = /^(.+)_v(\d+)$/.exec(projector);
  return match ? { name: match[1] as string, version: Number(match[2]) } : undefined;
}

/**
 * The version's consumer group. A read database of its own (`rebuild`) has groups of its own:
 * their offsets say how far that database has come, not how far the event log's read models have.
 */
export const projectionGroupOf = (app: string, p: Pick<Projection, 'name' | 'version'>, readDatabase?: string) =>
  `${app}.projection.${projectorNameOf(p)}${readDatabase ? `@${readDatabase}` : ''}`;

/** Readers query this schema: one view per table, pointing at the live version's table. */
export const stableSchemaOf = (p: Pick<Projection, 'name'>) => p.name;

/** The name and version a projector runs: the code's version unless one is asked for. */
export const versionOf = (p: Pick<Projection, 'name' | 'version'>, version?: number) => ({ name: p.name, version: version ?? p.version });
