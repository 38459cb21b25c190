import { defineProjection, type AnyEvent, type Decider, type RecordedEvent, type Sql } from 'streamfold/core';
import { albumDomain } from '../album/index.ts';
import { reciterDomain } from '../reciter/index.ts';

const q = (schema: string) => `"${schema}".revisions`;

/** What a revision needs of a domain: its fold, to write the entity's full content after each event. */
interface Revisionable {
  readonly decider: Pick<Decider<never, AnyEvent, unknown>, 'evolve' | 'initialState'>;
  readonly refusalTypes: readonly string[];
}

const revisionable = (domain: { decider: unknown; refusalTypes?: readonly string[] }): Revisionable => ({
  decider: domain.decider as Revisionable['decider'],
  refusalTypes: domain.refusalTypes ?? [],
});

/** The second seed's revisionable entities, by aggregate type. */
const entities = new Map<string, Revisionable>([
  [reciterDomain.aggregateType, revisionable(reciterDomain)],
  [albumDomain.aggregateType, revisionable(albumDomain)],
]);

/** The entity name a revision is filed under: `reciter`, `album`. */
export const entityOf = (event: Pick<RecordedEvent, 'aggregateType'>) => event.aggregateType.toLowerCase();

/**
 * The second seed's RevisionsProjector: every event that changes a reciter or an album writes a
 * revision, the entity's whole content after the event as JSON, folded by the domain's own evolve
 * from the previous revision. Refusals change nothing and write none, so revision versions are
 * the aggregate versions at which the entity changed.
 */
export const revisionsProjection = defineProjection({
  name: 'revisions',
  version: 1,
  sources: ['reciter', 'album'],
  tables: ['revisions'],
  async setup(sql: Sql, schema: string) {
    await sql.query(`create table if not exists ${q(schema)} (
      entity text not null, entity_uuid uuid not null, version bigint not null,
      event_type text not null, event_uuid uuid not null, content jsonb not null, created_at timestamptz not null,
      primary key (entity, entity_uuid, version))`);
  },
  async apply(event, sql, schema) {
    const domain = entities.get(event.aggregateType);
    if (!domain || domain.refusalTypes.includes(event.eventType)) return;
    const { rows } = await sql.query<{ content: unknown }>(
      `select content from ${q(schema)} where entity = $1 and entity_uuid = $2 order by version desc limit 1`,
      [entityOf(event), event.aggregateUuid],
    );
    const before = rows.length > 0 ? rows[0]?.content : domain.decider.initialState();
    const after = domain.decider.evolve(before, { type: event.eventType, data: event.data });
    await sql.query(
      `insert into ${q(schema)} (entity, entity_uuid, version, event_type, event_uuid, content, created_at) values ($1, $2, $3, $4, $5, $6, $7)`,
      [entityOf(event), event.aggregateUuid, event.aggregateVersion.toString(), event.eventType, event.eventUuid, JSON.stringify(after), event.recordedAt],
    );
  },
});
