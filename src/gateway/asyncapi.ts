import type { StreamfoldConfig } from '../config/streamfoldConfig.ts';
import { commandTopicOf, eventTopicOf, type Domain } from '../core/index.ts';
import { deadLetterTopicOf } from '../messaging/deadLetters.ts';
import { header } from '../messaging/envelopeHeaders.ts';
import type { MessageSchema } from '../messaging/schemaCatalog.ts';

/** What OpenAPI is to the gateway, AsyncAPI is to a Kafka producer or consumer in another language. */
export type AsyncApiDocument = Record<string, unknown>;

const AVRO_FORMAT = 'application/vnd.apache.avro;version=1.9.0';
const uuidString = { type: 'string', format: 'uuid' };
const isoTime = { type: 'string', format: 'date-time', description: 'ISO-8601 with an offset' };
const text = (description: string) => ({ type: 'string', maxLength: 1024, description });

const WIRE_FORMAT =
  'The value is in the Confluent wire format: byte 0, the schema\'s registry id as 4 bytes big-endian, then the Avro binary of the record (no container header). ' +
  'Every header is at most 1024 bytes and present once.';

/** A channel id may hold only letters, digits, `_` and `-`; the Kafka topic is its address. */
const channelIdOf = (topic: string) => topic.replace(/[^A-Za-z0-9_-]/g, '_');

function commandHeaders(domain: Domain, typeName: string) {
  return {
    type: 'object',
    required: [header.commandType, header.commandUuid, header.aggregateType, header.issuedAt, header.correlationId],
    properties: {
      [header.commandType]: { type: 'string', const: typeName, description: "the record's name without namespace" },
      [header.commandUuid]: { ...uuidString, description: 'a fresh uuid per command, the same on a resend (the dedup key)' },
      [header.aggregateType]: { type: 'string', const: domain.aggregateType },
      [header.issuedAt]: isoTime,
      [header.issuedBy]: text('who sent it (optional; archived in the metadata)'),
      [header.role]: text('their role (optional; archived in the metadata)'),
      [header.correlationId]: { ...uuidString, description: 'a new uuid starts a correlation' },
      [header.causationId]: { ...uuidString, description: 'optional: the event or command that caused this one' },
    },
  };
}

function eventHeaders(domain: Domain, typeName: string) {
  return {
    type: 'object',
    required: [header.eventType, header.eventUuid, header.aggregateType, header.aggregateVersion, header.correlationId, header.causationId, header.causationType, header.recordedAt],
    properties: {
      [header.eventType]: { type: 'string', const: typeName },
      [header.eventUuid]: uuidString,
      [header.aggregateType]: { type: 'string', const: domain.aggregateType },
      [header.aggregateVersion]: { type: 'string', pattern: '^[1-9][0-9]*$', description: "the event's position in its stream, from 1" },
      [header.correlationId]: uuidString,
      [header.causationId]: { ...uuidString, description: 'the command that recorded it' },
      [header.causationType]: { type: 'string', description: "that command's type" },
      [header.recordedAt]: isoTime,
    },
  };
}

function message(domain: Domain, typeName: string, kind: 'command' | 'event', schema: MessageSchema | undefined) {
  const subject = schema?.subject ?? typeName;
  return {
    name: typeName,
    title: `${typeName} (${domain.aggregateType} ${kind})`,
    contentType: 'application/octet-stream',
    description: `Registry subject \`${subject}\` (RecordNameStrategy: the record's full name). ${WIRE_FORMAT}`,
    headers: kind === 'command' ? commandHeaders(domain, typeName) : eventHeaders(domain, typeName),
    payload: { schemaFormat: AVRO_FORMAT, schema: schema ? (JSON.parse(schema.definition) as unknown) : { type: 'record', name: typeName, fields: [] } },
    bindings: {
      kafka: {
        key: { ...uuidString, description: 'the aggregate uuid as a UTF-8 string, lower case' },
        schemaIdLocation: 'payload',
        schemaIdPayloadEncoding: 'confluent',
        schemaLookupStrategy: 'RecordNameStrategy',
        bindingVersion: '0.5.0',
      },
    },
  };
}

/**
 * The AsyncAPI 3.0 document of a config's topics: per domain its command and event channels and
 * their dead-letter channels, a message per `.avsc` type, `send` on commands and `receive` on events.
 */
export function asyncApiDocument(config: StreamfoldConfig, schemas: ReadonlyMap<string, MessageSchema>): AsyncApiDocument {
  const messages: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const refs = (types: readonly string[]) => Object.fromEntries(types.map((t) => [t, { $ref: `#/components/messages/${t}` }]));
  const addChannel = (topic: string, types: readonly string[], description: string) => {
    channels[channelIdOf(topic)] = { address: topic, title: topic, description, messages: refs(types), bindings: { kafka: { topic, bindingVersion: '0.5.0' } } };
    return channelIdOf(topic);
  };
  const addOperation = (action: 'send' | 'receive', channelId: string, types: readonly string[], summary: string) => {
    operations[`${action}_${channelId}`] = {
      action,
      summary,
      channel: { $ref: `#/channels/${channelId}` },
      messages: types.map((t) => ({ $ref: `#/channels/${channelId}/messages/${t}` })),
    };
  };

  for (const domain of config.domains) {
    for (const t of domain.commandTypes) messages[t] = message(domain, t, 'command', schemas.get(t));
    for (const t of domain.eventTypes) messages[t] = message(domain, t, 'event', schemas.get(t));
    const commands = commandTopicOf(domain);
    const events = eventTopicOf(domain);
    const deadLetters = (topic: string) =>
      `What the door refused on ${topic}: the original key, value and headers, plus dlq-error-code, dlq-error, dlq-source-topic, dlq-source-partition, dlq-source-offset.`;
    const commandChannel = addChannel(commands, domain.commandTypes, `${domain.aggregateType} commands, keyed by the aggregate uuid.`);
    const eventChannel = addChannel(events, domain.eventTypes, `${domain.aggregateType} events, keyed by the aggregate uuid, in stream order per key.`);
    addChannel(deadLetterTopicOf(commands), domain.commandTypes, deadLetters(commands));
    addChannel(deadLetterTopicOf(events), domain.eventTypes, deadLetters(events));
    addOperation('send', commandChannel, domain.commandTypes, `Send a ${domain.aggregateType} command; read its outcome with GET /commands/{uuid}`);
    addOperation('receive', eventChannel, domain.eventTypes, `Receive ${domain.aggregateType} events`);
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: `streamfold topics: ${config.app}`,
      version: '1',
      description: `The Kafka topics of the config's domains. Messages are Avro (the .avsc files of the avro folder), registered under their record's full name. ${WIRE_FORMAT}`,
    },
    defaultContentType: 'application/octet-stream',
    channels,
    operations,
    components: { messages },
  };
}
