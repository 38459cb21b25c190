import type { RecordedEvent } from '../core/index.ts';

export interface EventRow {
  position: bigint;
  stream_type: string;
  stream_id: string;
  version: bigint;
  event_uuid: string;
  type: string;
  schema_id: number;
  data: Record<string, unknown>;
  caused_by_command_type: string;
  caused_by_command_uuid: string;
  correlation_id: string;
  recorded_at: Date;
}

export const eventColumns = `position, stream_type, stream_id, version, event_uuid, type, schema_id, data,
  caused_by_command_type, caused_by_command_uuid, correlation_id, recorded_at`;

export function toRecordedEvent(row: EventRow): RecordedEvent & { schemaId: number } {
  return {
    eventType: row.type,
    eventUuid: row.event_uuid,
    aggregateType: row.stream_type,
    aggregateUuid: row.stream_id,
    aggregateVersion: row.version,
    causedBy: { commandType: row.caused_by_command_type, commandUuid: row.caused_by_command_uuid },
    correlationId: row.correlation_id,
    recordedAt: row.recorded_at.toISOString(),
    data: row.data,
    position: row.position,
    schemaId: row.schema_id,
  };
}
