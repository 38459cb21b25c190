import type { MessageHeaders } from './transport.ts';
import type { CommandEnvelope, RecordedEvent } from '../core/index.ts';

/** Kafka carries the envelope in headers and the type's Avro data in the value. */
export const header = {
  commandType: 'command-type',
  commandUuid: 'command-uuid',
  aggregateType: 'aggregate-type',
  issuedAt: 'issued-at',
  issuedBy: 'issued-by',
  role: 'role',
  correlationId: 'correlation-id',
  eventType: 'event-type',
  eventUuid: 'event-uuid',
  aggregateVersion: 'aggregate-version',
  causationId: 'causation-id',
  causationType: 'causation-type',
  recordedAt: 'recorded-at',
} as const;

export function commandHeaders(command: CommandEnvelope): MessageHeaders {
  return {
    [header.commandType]: command.commandType,
    [header.commandUuid]: command.commandUuid,
    [header.aggregateType]: command.aggregateType,
    [header.issuedAt]: command.metadata.issuedAt,
    [header.issuedBy]: command.metadata.issuedBy,
    [header.role]: command.metadata.role,
    [header.correlationId]: command.metadata.correlationId,
    ...(command.metadata.causationId ? { [header.causationId]: command.metadata.causationId } : {}),
  };
}

export function eventHeaders(event: RecordedEvent): MessageHeaders {
  return {
    [header.eventType]: event.eventType,
    [header.eventUuid]: event.eventUuid,
    [header.aggregateType]: event.aggregateType,
    [header.aggregateVersion]: event.aggregateVersion.toString(),
    [header.correlationId]: event.correlationId,
    [header.causationId]: event.causedBy.commandUuid,
    [header.causationType]: event.causedBy.commandType,
    [header.recordedAt]: event.recordedAt,
  };
}
