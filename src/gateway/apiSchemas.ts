import type { FastifyInstance } from 'fastify';
import type { StreamfoldConfig } from '../config/streamfoldConfig.ts';
import type { MessageSchema } from '../messaging/schemaCatalog.ts';
import { avroToJsonSchema, type JsonSchema } from './avroJsonSchema.ts';

/** A reference to a schema added with addSchema; @fastify/swagger writes it as #/components/schemas/<name>. */
export const ref = (name: string) => ({ $ref: `${name}#` });

const uuidPattern = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const uuid = { type: 'string', format: 'uuid', pattern: uuidPattern };
const bigintString = { type: 'string', pattern: '^\\d+$', description: 'a 64-bit integer, as a string so no client rounds it' };

/** Query and path parameters; `description` finishes the refusal "<name>: "<value>" is not …". */
export const limit = { type: 'integer', minimum: 1, maximum: 500, default: 50, description: 'a whole number from 1 to 500' };
export const wholeText = (digits: number, description: string) => ({ type: 'string', pattern: `^\\d{1,${digits}}$`, description });

const problem = (description: string) => ({ description, content: { 'application/json': { schema: ref('Problem') } } });
export const jsonAnswer = (description: string, schema: unknown) => ({ description, content: { 'application/json': { schema } } });

/** The answers of a read: found, a malformed id or parameter, not found. */
export const readAnswers = (schema: unknown) => ({ 200: jsonAnswer('found', schema), 400: problem('a malformed id or parameter'), 404: problem('not found') });
/** The answers of an operator's action. */
export const actionAnswers = { 200: jsonAnswer('done', { type: 'object' }), 404: problem('nothing to act on'), 409: problem('it failed again') };
export const commandAnswers = {
  202: jsonAnswer('produced to its command topic; poll the Location', ref('CommandSent')),
  400: problem('refused before anything was sent; `problems` names every failing field'),
  413: problem('the body is larger than the limit'),
  415: problem('not sent as application/json'),
  503: problem('Kafka did not take it; resend with the same commandUuid (duplicates are absorbed)'),
};

/**
 * The schemas routes refer to, added to the instance so @fastify/swagger lists them as components:
 * every command's body and every event's data are the `.avsc` records, as JSON Schema.
 */
export function addApiSchemas(app: FastifyInstance, config: StreamfoldConfig, schemas: ReadonlyMap<string, MessageSchema>): void {
  const add = (name: string, schema: JsonSchema) => app.addSchema({ $id: name, ...schema });
  const dataOf = (typeName: string) => {
    const schema = schemas.get(typeName);
    add(`${typeName}Data`, schema ? avroToJsonSchema(JSON.parse(schema.definition)) : { type: 'object', description: `${typeName} has no .avsc file` });
    return ref(`${typeName}Data`);
  };

  const commandTypes = config.domains.flatMap((d) => d.commandTypes.map((type: string) => ({ type, domain: d })));
  for (const { type, domain } of commandTypes) {
    add(`${type}Command`, {
      type: 'object',
      title: type,
      description: `A ${type} command to a ${domain.aggregateType}; produced to ${domain.name}.commands keyed by aggregateUuid.`,
      additionalProperties: false,
      required: ['commandType', 'aggregateUuid', 'data'],
      properties: {
        commandType: { const: type },
        aggregateUuid: uuid,
        commandUuid: { ...uuid, description: 'Give one to make a resend deduplicated; the gateway makes one otherwise.' },
        data: dataOf(type),
        metadata: ref('CommandMetadata'),
      },
    });
  }
  const eventTypes = config.domains.flatMap((d) => d.eventTypes as readonly string[]);
  const eventData = eventTypes.map(dataOf);

  add('Command', {
    oneOf: commandTypes.map(({ type }) => ref(`${type}Command`)),
    discriminator: { propertyName: 'commandType', mapping: Object.fromEntries(commandTypes.map(({ type }) => [type, `#/components/schemas/${type}Command`])) },
  });
  add('CommandMetadata', {
    type: 'object',
    additionalProperties: false,
    description: 'issuedAt is set by the gateway when it receives the command.',
    properties: { issuedBy: { type: 'string', maxLength: 200, default: 'http' }, role: { type: 'string', maxLength: 100, default: 'api' }, correlationId: uuid },
  });
  add('Problem', {
    type: 'object',
    required: ['error'],
    properties: { error: { type: 'string' }, problems: { type: 'array', items: { type: 'string' }, description: 'every failing field, as "field: what is wrong"' } },
  });
  add('CommandSent', {
    type: 'object',
    properties: { commandUuid: uuid, commandType: { type: 'string' }, aggregateUuid: uuid, correlationId: uuid, status: { const: 'sent' }, poll: { type: 'string' } },
  });
  add('RecordedEvent', {
    type: 'object',
    properties: {
      position: bigintString,
      eventUuid: uuid,
      eventType: { enum: eventTypes },
      aggregateType: { type: 'string' },
      aggregateUuid: uuid,
      aggregateVersion: bigintString,
      recordedAt: { type: 'string', format: 'date-time' },
      correlationId: uuid,
      causedBy: { type: 'object', properties: { commandType: { type: 'string' }, commandUuid: uuid } },
      schemaId: { type: 'integer' },
      data: { anyOf: eventData },
    },
  });
  add('CommandRecord', {
    type: 'object',
    properties: {
      commandUuid: uuid,
      status: { enum: ['unknown', 'pending', 'accepted', 'rejected', 'invalid'] },
      commandType: { type: 'string' },
      aggregateType: { type: 'string' },
      aggregateUuid: uuid,
      reason: { type: ['string', 'null'] },
      data: { type: 'object' },
      metadata: { type: 'object' },
      receivedAt: { type: 'string', format: 'date-time' },
      processedAt: { type: ['string', 'null'], format: 'date-time' },
      events: { type: 'array', items: ref('RecordedEvent') },
    },
  });
  add('StreamPage', {
    type: 'object',
    properties: { aggregateUuid: uuid, aggregateType: { type: 'string' }, events: { type: 'array', items: ref('RecordedEvent') }, next: { type: ['string', 'null'] } },
  });
  add('RowsPage', {
    type: 'object',
    properties: {
      projection: { type: 'string' },
      version: { type: 'integer' },
      table: { type: 'string' },
      columns: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' } } } },
      rows: { type: 'array', items: { type: 'object' } },
      next: { type: ['string', 'null'] },
    },
  });
}
