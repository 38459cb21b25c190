import type { CommandEnvelope, CommandOutcome, RecordedEvent } from '../core/index.ts';
import { toStorableText } from '../core/index.ts';
import type { NewEvent } from './appendToStream.ts';
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
      // A data-modifying CTE runs to completion whether or not the query reads it.
      text: `with archived as (
         insert into processed_commands (command_uuid, command_type, aggregate_type, aggregate_uuid, data, metadata,
                                         processed_at, outcome, event_uuids, reason)
         select c.uuid, c.type, c.aggregate_type, c.aggregate_uuid, c.data, c.metadata, now(), c.outcome,
                array(select jsonb_array_elements_text(c.event_uuids)::uuid), c.reason
         from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::jsonb[], $6::jsonb[], $7::text[], $8::jsonb[], $9::text[])
              as c(uuid, type, aggregate_type, aggregate_uuid, data, metadata, outcome, event_uuids, reason)
       ), appended as (
         insert into events (stream_type, stream_id, version, event_uuid, type, schema_id, data, metadata,
                             caused_by_command_type, caused_by_command_uuid, correlation_id)
         select * from unnest($10::text[], $11::uuid[], $12::bigint[], $13::uuid[], $14::text[], $15::int[], $16::jsonb[],
                              $17::jsonb[], $18::text[], $19::uuid[], $20::uuid[])
         returning position, event_uuid, recorded_at
       )
       select appended.* from appended`,
      values: [
        decided.map((d) => d.command.commandUuid),
        decided.map((d) => d.command.commandType),
        decided.map((d) => d.command.aggregateType),
        decided.map((d) => d.command.aggregateUuid),
        // An invalid command's data may hold what Postgres refuses: it is archived made storable.
        decided.map((d) => JSON.stringify(d.outcome === 'invalid' ? toStorableText(d.command.data) : d.command.data)),
        decided.map((d) => JSON.stringify(d.command.metadata)),
        decided.map((d) => d.outcome),
        decided.map((d) => JSON.stringify(d.events.map((e) => e.eventUuid))),
        decided.map((d) => d.reason),
        events.map(({ d }) => d.streamType),
        events.map(({ d }) => d.command.aggregateUuid),
        events.map(({ e }) => e.version.toString()),
        events.map(({ e }) => e.eventUuid),
        events.map(({ e }) => e.type),
        events.map(({ e }) => e.schemaId),
        events.map(({ e }) => JSON.stringify(e.data)),
        events.map(({ d }) => JSON.stringify({ issuedBy: d.command.metadata.issuedBy, role: d.command.metadata.role, issuedAt: d.command.metadata.issuedAt })),
        events.map(({ d }) => d.command.commandType),
        events.map(({ d }) => d.command.commandUuid),
        events.map(({ d }) => d.command.metadata.correlationId),
      ],
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
