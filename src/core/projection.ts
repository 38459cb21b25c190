import type { RecordedEvent } from './envelopes.ts';

/** The one thing a projection may do with its database: parameterized SQL. */
export interface Sql {
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/** What happens to an event whose handler still throws after its retries. */
export type FailurePolicy = 'halt' | 'park';

/**
 * A read model kept current from event topics. Its tables live in a Postgres schema of its own
 * (`schema` below), so a new version can be built beside the live one.
 */
export interface Projection {
  readonly name: string;
  readonly version: number;
  /** Domain names whose event topics it reads. */
  readonly sources: readonly string[];
  /** Its tables, in the order verification compares them. */
  readonly tables: readonly string[];
  readonly failurePolicy?: FailurePolicy;
  /** Creates its tables in `schema`; must be idempotent (`create table if not exists`). */
  readonly setup: (sql: Sql, schema: string) => Promise<void>;
  readonly apply: (event: RecordedEvent, sql: Sql, schema: string) => Promise<void>;
  /**
   * Optional set-based form of `apply`: a chunk's new events, in delivery order, in as few
   * statements as it can. It must leave the same rows as `apply` on each event in turn; when it
   * throws, the chunk is redone event by event through `apply`, which finds the failing event.
   * Verification folds the event log through `apply`, so it checks the two agree.
   */
  readonly applyAll?: (events: readonly RecordedEvent[], sql: Sql, schema: string) => Promise<void>;
  /**
   * Optional: a data subject was forgotten (`streamfold forget`). Erase what the read model
   * copied of their personal fields; called once for every version schema of the projection.
   * `stream` is the aggregate stream whose uuid is the subject's, as it reads now (personal
   * fields `[erased]`), for a read model that rebuilds what it kept of it (revisions do).
   */
  readonly forget?: (subject: string, sql: Sql, schema: string, stream: readonly RecordedEvent[]) => Promise<void>;
}

export const defineProjection = (projection: Projection): Projection => projection;

/** A reactor turns events into commands (a producer is also a consumer). */
export interface Reactor {
  readonly name: string;
  readonly sources: readonly string[];
  /** Commands to send for this event; their uuids are derived from the event's uuid. */
  readonly react: (event: RecordedEvent, sql: Sql) => Promise<readonly ReactorCommand[]>;
}

export interface ReactorCommand {
  readonly commandType: string;
  readonly aggregateType: string;
  readonly aggregateUuid: string;
  readonly data: Record<string, unknown>;
  /** Tells apart two commands made from one event; part of the derived uuid. */
  readonly key?: string;
}

export const defineReactor = (reactor: Reactor): Reactor => reactor;
