import type { CommandMetadata, RecordedEvent } from '../core/index.ts';
import type { PoolClient } from './pool.ts';
import { eventColumns, toRecordedEvent, type EventRow } from './eventRows.ts';
import { versionConflictOf } from './versionConflict.ts';

export interface NewEvent {
  readonly eventUuid: string;
  readonly type: string;
  readonly schemaId: number;
  readonly data: Record<string, unknown>;
}

/** What of a command's metadata its events keep in the event log: who, in which role, when. */
export const eventMetadataOf = ({ issuedBy, role, issuedAt }: CommandMetadata) => ({ issuedBy, role, issuedAt });

export interface AppendContext {
  readonly streamType: string;
  readonly streamId: string;
  /** The version the caller's decision was based on; 0n for a stream with no events. */
  readonly expectedVersion: bigint;
  readonly causedBy: { commandType: string; commandUuid: string };
  readonly correlationId: string;
  readonly metadata?: Record<string, unknown>;
}

/**
 * Appends events at expectedVersion+1… in one statement. The unique (stream_id, version)
 * constraint turns a concurrent writer's win into a VersionConflict.
 */
export async function appendToStream(
  client: PoolClient,
  context: AppendContext,
  events: readonly NewEvent[],
): Promise<(RecordedEvent & { schemaId: number })[]> {
  if (events.length === 0) return [];
  try {
    const { rows } = await client.query<EventRow>(
      `insert into events (stream_type, stream_id, version, event_uuid, type, schema_id, data, metadata,
                           caused_by_command_type, caused_by_command_uuid, correlation_id)
       select $1, $2, $3::bigint + e.ordinal, e.event_uuid, e.type, e.schema_id, e.data, $4, $5, $6, $7
       from unnest($8::uuid[], $9::text[], $10::int[], $11::jsonb[]) with ordinality
            as e(event_uuid, type, schema_id, data, ordinal)
       returning ${eventColumns}`,
      [
        context.streamType,
        context.streamId,
        context.expectedVersion.toString(),
        JSON.stringify(context.metadata ?? {}),
        context.causedBy.commandType,
        context.causedBy.commandUuid,
        context.correlationId,
        events.map((e) => e.eventUuid),
        events.map((e) => e.type),
        events.map((e) => e.schemaId),
        events.map((e) => JSON.stringify(e.data)),
      ],
    );
    return rows.map(toRecordedEvent).sort((a, b) => Number(a.aggregateVersion - b.aggregateVersion));
  } catch (error) {
    throw versionConflictOf(error, new Map([[context.streamId, context.expectedVersion]])) ?? error;
  }
}
