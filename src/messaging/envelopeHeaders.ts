import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { CommandEnvelope, RecordedEvent } from '../core/index.ts';
import type { Decoded } from './codec.ts';
import { PoisonMessage } from './errors.ts';

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

export function commandHeaders(command: CommandEnvelope): IHeaders {
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

export function eventHeaders(event: RecordedEvent): IHeaders {
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

function readHeaders(message: KafkaMessage, names: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const raw = message.headers?.[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === null || value.length === 0) missing.push(name);
    else values[name] = value.toString();
  }
  if (missing.length > 0) throw new PoisonMessage('BAD_HEADERS', `headers missing: ${missing.join(', ')}`);
  return values;
}

export function commandFromMessage(message: KafkaMessage, decoded: Decoded): CommandEnvelope {
  const { typeName, data } = decoded;
  const h = readHeaders(message, [header.commandType, header.commandUuid, header.aggregateType, header.issuedAt, header.correlationId]);
  if (h[header.commandType] !== decoded.writerTypeName) {
    throw new PoisonMessage('BAD_HEADERS', `header command-type ${h[header.commandType]} does not match the value's schema ${decoded.writerTypeName}`);
  }
  const key = message.key?.toString();
  if (!key) throw new PoisonMessage('BAD_HEADERS', 'the message has no key (the aggregate uuid)');
  return {
    commandType: typeName,
    commandUuid: h[header.commandUuid] as string,
    aggregateType: h[header.aggregateType] as string,
    aggregateUuid: key,
    data,
    metadata: {
      issuedAt: h[header.issuedAt] as string,
      issuedBy: message.headers?.[header.issuedBy]?.toString() ?? 'unknown',
      role: message.headers?.[header.role]?.toString() ?? 'unknown',
      correlationId: h[header.correlationId] as string,
      ...(message.headers?.[header.causationId] ? { causationId: message.headers[header.causationId]?.toString() } : {}),
    },
  };
}

/** The envelope from the headers, the type and data from the decoded value (in today's shape). */
export function eventFromMessage(message: KafkaMessage, decoded: Decoded): RecordedEvent {
  const { typeName, data } = decoded;
  const h = readHeaders(message, [
    header.eventType,
    header.eventUuid,
    header.aggregateType,
    header.aggregateVersion,
    header.correlationId,
    header.causationId,
    header.causationType,
    header.recordedAt,
  ]);
  if (h[header.eventType] !== decoded.writerTypeName) {
    throw new PoisonMessage('BAD_HEADERS', `header event-type ${h[header.eventType]} does not match the value's schema ${decoded.writerTypeName}`);
  }
  const key = message.key?.toString();
  if (!key) throw new PoisonMessage('BAD_HEADERS', 'the message has no key (the aggregate uuid)');
  return {
    eventType: typeName,
    eventUuid: h[header.eventUuid] as string,
    aggregateType: h[header.aggregateType] as string,
    aggregateUuid: key,
    aggregateVersion: BigInt(h[header.aggregateVersion] as string),
    causedBy: { commandType: h[header.causationType] as string, commandUuid: h[header.causationId] as string },
    correlationId: h[header.correlationId] as string,
    recordedAt: h[header.recordedAt] as string,
    data,
  };
}
