import type { Domain, Projection, RecordedEvent, Sql } from '../core/index.ts';
import { ProjectionVersionError } from './errors.ts';
import { stableSchemaOf } from './names.ts';
import type { Revision } from './revisionHistory.ts';

/** The one table a revisions projection keeps, in its version's schema. */
const table = (schema: string) => `"${schema}".revisions`;

export interface RevisionsOptions {
  /** The projection's name (default `revisions`); readers query the schema of that name. */
  readonly name?: string;
  readonly version?: number;
  /** The domains whose aggregates get a revision per change; it reads their event topics. */
  // Domains differ in their command, event and state types; a revision treats them alike.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly domains: readonly Domain<any, any, any>[];
  /** The entity a revision is filed under (default: the aggregate type, `Reciter` → `reciter`); stored in lower case. */
  readonly entityOf?: (event: RecordedEvent) => string;
  readonly failurePolicy?: Projection['failurePolicy'];
}

/** A projection made by `defineRevisionsProjection`: `streamfold revisions` reads its table. */
export interface RevisionsProjection extends Projection {
  readonly keepsRevisions: true;
}

export const isRevisionsProjection = (projection: Projection): projection is RevisionsProjection =>
  (projection as Partial<RevisionsProjection>).keepsRevisions === true;

const byAggregateType = (event: RecordedEvent) => event.aggregateType;

/**
 * Revisions of any domain, by configuration: every event that changes an aggregate of one of
 * `domains` writes a row with the aggregate's whole content after it, folded by the domain's own
 * `evolve` from the previous revision (through its snapshot form when it declares one, so a Set
 * or a Map is stored as JSON). Refusals change nothing and write none, so revision versions are
 * the aggregate versions at which it changed.
 */
export function defineRevisionsProjection(options: RevisionsOptions): RevisionsProjection {
  const domains = new Map(options.domains.map((domain) => [domain.aggregateType, domain]));
  const entityOf = (event: RecordedEvent) => (options.entityOf ?? byAggregateType)(event).toLowerCase();
  const revisions: RevisionsProjection = {
    name: options.name ?? 'revisions',
    version: options.version ?? 1,
    sources: options.domains.map((domain) => domain.name),
    tables: ['revisions'],
    failurePolicy: options.failurePolicy,
    keepsRevisions: true,
    async setup(sql: Sql, schema: string) {
      await sql.query(`create table if not exists ${table(schema)} (
        entity text not null, entity_uuid uuid not null, version bigint not null,
        event_type text not null, event_uuid uuid not null, content jsonb not null, created_at timestamptz not null,
        primary key (entity, entity_uuid, version))`);
    },
    async apply(event, sql, schema) {
      const domain = domains.get(event.aggregateType);
      if (!domain || (domain.refusalTypes ?? []).includes(event.eventType)) return;
      const entity = entityOf(event);
      const { rows } = await sql.query<{ content: unknown }>(
        `select content from ${table(schema)} where entity = $1 and entity_uuid = $2 order by version desc limit 1`,
        [entity, event.aggregateUuid],
      );
      const { snapshots, decider } = domain;
      const toState = (content: unknown) => (snapshots?.fromSnapshot ? snapshots.fromSnapshot(content as never) : content);
      const before = rows[0] ? toState(rows[0].content) : decider.initialState();
      const after = decider.evolve(before, { type: event.eventType, data: event.data });
      const content = snapshots?.toSnapshot ? snapshots.toSnapshot(after) : after;
      await sql.query(
        `insert into ${table(schema)} (entity, entity_uuid, version, event_type, event_uuid, content, created_at) values ($1, $2, $3, $4, $5, $6, $7)`,
        [entity, event.aggregateUuid, event.aggregateVersion.toString(), event.eventType, event.eventUuid, JSON.stringify(content), event.recordedAt],
      );
    },
    async forget(subject, sql, schema, stream) {
      // A revision is the whole state, personal fields included: refold the subject's revisions from their stream as it reads now.
      await sql.query(`delete from ${table(schema)} where entity_uuid = $1`, [subject]);
      for (const event of stream) await revisions.apply(event, sql, schema);
    },
  };
  return revisions;
}

/** An entity's revisions, oldest first, read through the projection's stable schema (its live version). */
export async function listRevisions(db: Sql, projection: RevisionsProjection, entity: string, entityUuid: string): Promise<Revision[]> {
  const stable = stableSchemaOf(projection);
  const { rows } = await db
    .query<Revision & Record<string, unknown>>(
      `select version, event_type, event_uuid::text, content, created_at from ${table(stable)} where entity = $1 and entity_uuid = $2 order by version`,
      [entity.toLowerCase(), entityUuid],
    )
    .catch((error: { code?: string }) => {
      // 42P01: no such relation, so no version of the projection is live in this database yet.
      if (error.code !== '42P01') throw error;
      throw new ProjectionVersionError('UNKNOWN_VERSION', `${stable} has no live version in this database yet; start it: streamfold project --projection ${projection.name}`);
    });
  if (rows.length === 0) {
    const known = (await db.query<{ entity: string }>(`select distinct entity from ${table(stable)} order by entity`)).rows.map((r) => r.entity);
    if (!known.includes(entity.toLowerCase())) {
      throw new ProjectionVersionError('UNKNOWN_ENTITY', `no entity named ${entity} has revisions; the entities with revisions are: ${known.join(', ') || '(none yet)'}`);
    }
  }
  return rows;
}
