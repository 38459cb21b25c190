import type { CommandEnvelope, CommandOutcome, RecordedEvent } from '../core/index.ts';
import { toStorableText } from '../core/index.ts';
import { eventMetadataOf, type NewEvent } from './appendToStream.ts';
import { CommandAlreadyProcessed } from './errors.ts';
import { eventColumns, toRecordedEvent, type EventRow } from './eventRows.ts';
import type { PoolClient } from './pool.ts';
import { versionConflictOf } from './versionConflict.ts';

/** The uuids among these that some earlier transaction has processed. */
export async function findProcessedUuids(client: PoolClient, commandUuids: readonly string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ command_uuid: string }>(
    'select command_uuid::text from processed_commands where command_uuid = any($1::uuid[])',
    [commandUuids],
  );
  return new Set(rows.map((r) => r.command_uuid));
}

export async function readEventsCausedByMany(client: PoolClient, commandUuids: readonly string[]) {
  const { rows } = await client.query<EventRow>(
    `select ${eventColumns} from events where caused_by_command_uuid = any($1::uuid[]) order by position`,
    [commandUuids],
  );
  return rows.map(toRecordedEvent);
}

export interface DecidedCommand {
  readonly command: CommandEnvelope;
  readonly streamType: string;
  readonly outcome: CommandOutcome;
  readonly reason: string | null;
  /** Events with the versions the decision gave them. */
  readonly events: readonly (NewEvent & { version: bigint })[];
}

/** Per stream of the chunk, the version its first event was decided on. */
function expectedVersionsOf(decided: readonly DecidedCommand[]): Map<string, bigint> {
  const expected = new Map<string, bigint>();
  for (const { command, events } of decided) {
    for (const { version } of events) {
      const before = expected.get(command.aggregateUuid);
      if (before === undefined || version - 1n < before) expected.set(command.aggregateUuid, version - 1n);
    }
  }
  return expected;
}

/** A command's processed_commands row, as the append statement reads it from JSON. */
const archivedRow = (d: DecidedCommand) => ({
  command_uuid: d.command.commandUuid,
  command_type: d.command.commandType,
  aggregate_type: d.command.aggregateType,
  aggregate_uuid: d.command.aggregateUuid,
  // An invalid command's data may hold what Postgres refuses: it is archived made storable.
  data: d.outcome === 'invalid' ? toStorableText(d.command.data) : d.command.data,
  metadata: d.command.metadata,
  outcome: d.outcome,
  event_uuids: d.events.map((e) => e.eventUuid),
  // Text from an error message: jsonb refuses a lone surrogate or U+0000 where a text array took them.
  reason: d.reason === null ? null : toStorableText(d.reason),
});

/** An event's events row, as the append statement reads it from JSON. */
const appendedRow = (d: DecidedCommand, e: DecidedCommand['events'][number]) => ({
  stream_type: d.streamType,
  stream_id: d.command.aggregateUuid,
  // A stream's version stays far below 2^53.
  version: Number(e.version),
  event_uuid: e.eventUuid,
  type: e.type,
  schema_id: e.schemaId,
  data: e.data,
  metadata: eventMetadataOf(d.command.metadata),
  caused_by_command_type: d.command.commandType,
  caused_by_command_uuid: d.command.commandUuid,
  correlation_id: d.command.metadata.correlationId,
});

/**
 * Appends every event of a chunk and archives every command with its outcome, in one statement:
 * all of it or none, inside a transaction or on its own. Unique (stream_id, version) still guards
 * each append: a concurrent writer's win raises a VersionConflict, and a command archived before
 * (a redelivery, or another worker's) raises CommandAlreadyProcessed — the statement fails whole,
 * so no event of a command processed before is appended twice; the caller takes a slower path.
 */
export async function appendAndArchive(client: PoolClient, decided: readonly DecidedCommand[]) {
  const events = decided.flatMap((d) => d.events.map((e) => ({ d, e })));
  try {
    const { rows } = await client.query<{ position: bigint; event_uuid: string; recorded_at: Date }>({
      // Every chunk runs it: prepared once per connection, parsed and planned once.
      name: 'streamfold.append-and-archive',
      // A data-modifying CTE runs to completion whether or not the query reads it. The chunk comes
      // as two JSON documents, one row per element, keyed by column: the worker spent 7 µs of CPU per
      // command more on serializing twenty parameter arrays (docs/benchmarks.md, A/B of 18:04).
      text: `with archived as (
         insert into processed_commands (command_uuid, command_type, aggregate_type, aggregate_uuid, data, metadata,
                                         processed_at, outcome, event_uuids, reason)
         select c.command_uuid, c.command_type, c.aggregate_type, c.aggregate_uuid, c.data, c.metadata, now(), c.outcome,
                c.event_uuids, c.reason
         from jsonb_to_recordset($1::jsonb) as c(command_uuid uuid, command_type text, aggregate_type text, aggregate_uuid uuid,
                                                 data jsonb, metadata jsonb, outcome text, event_uuids uuid[], reason text)
       ), appended as (
         insert into events (stream_type, stream_id, version, event_uuid, type, schema_id, data, metadata,
                             caused_by_command_type, caused_by_command_uuid, correlation_id)
         select * from jsonb_to_recordset($2::jsonb) as e(stream_type text, stream_id uuid, version bigint, event_uuid uuid, type text,
                                                          schema_id int, data jsonb, metadata jsonb, caused_by_command_type text,
                                                          caused_by_command_uuid uuid, correlation_id uuid)
         returning position, event_uuid, recorded_at
       )
       select appended.* from appended`,
      values: [JSON.stringify(decided.map(archivedRow)), JSON.stringify(events.map(({ d, e }) => appendedRow(d, e)))],
    });
    // Only what Postgres adds comes back (position, the transaction's time): the rest is in hand,
    // and reading every column back would make Postgres and the worker serialize it all twice.
    const stored = new Map(rows.map((r) => [r.event_uuid, r]));
    return events.map(({ d, e }): RecordedEvent & { schemaId: number } => {
      const row = stored.get(e.eventUuid) as (typeof rows)[number];
      return {
        eventType: e.type,
        eventUuid: e.eventUuid,
        aggregateType: d.streamType,
        aggregateUuid: d.command.aggregateUuid,
        aggregateVersion: e.version,
        causedBy: { commandType: d.command.commandType, commandUuid: d.command.commandUuid },
        correlationId: d.command.metadata.correlationId,
        recordedAt: row.recorded_at.toISOString(),
        data: e.data,
        position: row.position,
        schemaId: e.schemaId,
      };
    });
  } catch (error) {
    const conflict = versionConflictOf(error, expectedVersionsOf(decided));
    if (conflict) throw conflict;
    const pgError = error as { code?: string; constraint?: string };
    if (pgError.code === '23505' && pgError.constraint === 'processed_commands_pkey') throw new CommandAlreadyProcessed('a command of this chunk was processed before', { cause: error });
    if (pgError.code === '23505' && pgError.constraint === 'events_event_uuid_key') throw new CommandAlreadyProcessed('an event of this chunk was appended concurrently', { cause: error });
    throw error;
  }
}
