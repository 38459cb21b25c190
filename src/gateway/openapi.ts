import type { StreamfoldConfig } from '../config/streamfoldConfig.ts';
import type { MessageSchema } from '../messaging/schemaCatalog.ts';
import { avroToJsonSchema, type JsonSchema } from './avroJsonSchema.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const uuid = { type: 'string', format: 'uuid' };
const bigintString = { type: 'string', pattern: '^\\d+$', description: 'a 64-bit integer, as a string so no client rounds it' };

const problemResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('Problem') } } });
const jsonResponse = (description: string, schema: unknown) => ({ description, content: { 'application/json': { schema } } });
const pathParam = (name: string, schema: unknown, description: string) => ({ name, in: 'path', required: true, schema, description });
const haltedVersion = { name: 'version', in: 'query', schema: { type: 'integer', minimum: 1 }, description: 'the version to act on (default: the live one, else the one the code declares); the answer names it' };
const limitParam = { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } };

/**
 * The gateway's OpenAPI 3.1 document, written from the config and the Avro schemas: every
 * command's body and every event's data are the `.avsc` records, as JSON Schema.
 */
export function openApiDocument(config: StreamfoldConfig, schemas: ReadonlyMap<string, MessageSchema>, options: { tokenRequired: boolean }): Record<string, unknown> {
  const components: Record<string, JsonSchema> = {};
  const dataOf = (typeName: string) => {
    const schema = schemas.get(typeName);
    components[`${typeName}Data`] = schema ? avroToJsonSchema(JSON.parse(schema.definition)) : { type: 'object', description: `${typeName} has no .avsc file` };
    return ref(`${typeName}Data`);
  };

  const commandTypes = config.domains.flatMap((d) => d.commandTypes.map((type: string) => ({ type, domain: d })));
  for (const { type, domain } of commandTypes) {
    components[`${type}Command`] = {
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
    };
  }
  const eventTypes = config.domains.flatMap((d) => d.eventTypes as readonly string[]);
  const eventData = eventTypes.map(dataOf);

  Object.assign(components, {
    Command: {
      oneOf: commandTypes.map(({ type }) => ref(`${type}Command`)),
      discriminator: { propertyName: 'commandType', mapping: Object.fromEntries(commandTypes.map(({ type }) => [type, `#/components/schemas/${type}Command`])) },
    },
    CommandMetadata: {
      type: 'object',
      additionalProperties: false,
      description: 'issuedAt is set by the gateway when it receives the command.',
      properties: { issuedBy: { type: 'string', maxLength: 200, default: 'http' }, role: { type: 'string', maxLength: 100, default: 'api' }, correlationId: uuid },
    },
    Problem: {
      type: 'object',
      required: ['error'],
      properties: { error: { type: 'string' }, problems: { type: 'array', items: { type: 'string' }, description: 'every failing field, as "field: what is wrong"' } },
    },
    CommandSent: {
      type: 'object',
      properties: { commandUuid: uuid, commandType: { type: 'string' }, aggregateUuid: uuid, correlationId: uuid, status: { const: 'sent' }, poll: { type: 'string' } },
    },
    RecordedEvent: {
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
    },
    CommandRecord: {
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
    },
    StreamPage: {
      type: 'object',
      properties: { aggregateUuid: uuid, aggregateType: { type: 'string' }, events: { type: 'array', items: ref('RecordedEvent') }, next: { type: ['string', 'null'] } },
    },
    RowsPage: {
      type: 'object',
      properties: {
        projection: { type: 'string' },
        version: { type: 'integer' },
        table: { type: 'string' },
        columns: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' } } } },
        rows: { type: 'array', items: { type: 'object' } },
        next: { type: ['string', 'null'] },
      },
    },
  });

  const read = (summary: string, parameters: unknown[], schema: unknown, extra: Record<string, unknown> = {}) => ({
    get: { summary, parameters, responses: { 200: jsonResponse('found', schema), 400: problemResponse('a malformed id or parameter'), 404: problemResponse('not found'), ...extra } },
  });
  const action = (summary: string, parameters: unknown[]) => ({
    post: { summary, parameters, responses: { 200: jsonResponse('done', { type: 'object' }), 404: problemResponse('nothing to act on'), 409: problemResponse('it failed again') } },
  });
  const projectionName = pathParam('name', { enum: config.projections.map((p) => p.name) }, 'a projection of the config');
  const tablePaths = Object.fromEntries(
    config.projections.flatMap((p) =>
      p.tables.map((table) => [
        `/projections/${p.name}/${table}`,
        read(
          `Rows of ${p.name}.${table} (the live version), in primary key order. Other query parameters filter on a column's text value.`,
          [limitParam, { name: 'after', in: 'query', schema: { type: 'string' }, description: "the previous page's cursor" }, { name: 'version', in: 'query', schema: { type: 'integer' } }],
          ref('RowsPage'),
        ),
      ]),
    ),
  );

  return {
    openapi: '3.1.0',
    info: { title: `streamfold gateway: ${config.app}`, version: '1', description: 'Commands in, events and read models out. Written from the Avro schemas in the config\'s avro folder.' },
    ...(options.tokenRequired ? { security: [{ bearer: [] }] } : {}),
    paths: {
      '/commands': {
        post: {
          summary: 'Validate a command against its Avro schema and produce it; decided asynchronously',
          requestBody: { required: true, content: { 'application/json': { schema: ref('Command') } } },
          responses: {
            202: jsonResponse('produced to its command topic; poll the Location', ref('CommandSent')),
            400: problemResponse('refused before anything was sent; `problems` names every failing field'),
            413: problemResponse('the body is larger than the limit'),
            415: problemResponse('not sent as application/json'),
            503: problemResponse('Kafka did not take it; resend with the same commandUuid (duplicates are absorbed)'),
          },
        },
      },
      '/commands/{commandUuid}': read(
        "A command's status (unknown, pending, accepted, rejected, invalid), reason and the events it caused",
        [pathParam('commandUuid', uuid, 'the uuid the POST answered'), { name: 'wait', in: 'query', schema: { type: 'integer', maximum: 30000 }, description: 'wait up to this many ms for an outcome' }],
        ref('CommandRecord'),
      ),
      '/streams/{aggregateUuid}': read(
        "An aggregate's history in version order, each event with the command that caused it",
        [pathParam('aggregateUuid', uuid, 'the aggregate'), limitParam, { name: 'after', in: 'query', schema: { type: 'integer' }, description: 'the version to start after' }],
        ref('StreamPage'),
      ),
      '/correlations/{correlationId}': read('Everything one correlation id touched, as a tree: command → events → reactor commands → events', [pathParam('correlationId', uuid, 'a correlation id')], { type: 'object' }),
      '/projections': read('Every projection: versions, status, lag per partition, failures', [], { type: 'array' }),
      '/projections/{name}': read('One projection: versions, lag per partition, failures, tables', [projectionName], { type: 'object' }),
      ...tablePaths,
      '/projections/{name}/resume': action('A halted projection version retries the event that stopped it', [projectionName, haltedVersion]),
      '/projections/{name}/skip': action('A halted projection version marks its event projected without applying it, and goes on', [projectionName, haltedVersion]),
      '/projections/{name}/failures/{eventUuid}/retry': action('Apply a parked event again', [projectionName, pathParam('eventUuid', uuid, 'the parked event')]),
      '/projections/{name}/failures/{eventUuid}/skip': action('Mark a parked event projected without applying it', [projectionName, pathParam('eventUuid', uuid, 'the parked event')]),
      '/dead-letters': read('Dead-letter topics and how many messages each holds', [], { type: 'array' }),
      '/dead-letters/{topic}': read('The newest messages of a dead-letter topic, with their error and source', [pathParam('topic', { type: 'string' }, 'a dead-letter topic of the config'), limitParam], { type: 'array' }),
      '/dead-letters/{topic}/{partition}/{offset}/retry': action('Send a dead-lettered message back to its source topic', [
        pathParam('topic', { type: 'string' }, 'a dead-letter topic of the config'),
        pathParam('partition', { type: 'integer' }, 'partition'),
        pathParam('offset', { type: 'integer' }, 'offset'),
      ]),
      '/health': { get: { summary: 'The process is up', security: [], responses: { 200: jsonResponse('up', { type: 'object' }) } } },
      '/ready': { get: { summary: 'Postgres and Kafka answer', security: [], responses: { 200: jsonResponse('ready', { type: 'object' }), 503: jsonResponse('not ready; says which part', { type: 'object' }) } } },
      '/metrics': { get: { summary: 'Prometheus metrics (text exposition format)', responses: { 200: { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
      '/openapi.json': { get: { summary: 'This document', responses: { 200: jsonResponse('the document', { type: 'object' }) } } },
    },
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the token given to `streamfold serve --token` (STREAMFOLD_HTTP_TOKEN)' } } },
  };
}
