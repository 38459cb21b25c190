import fs from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import { MessagingError } from './errors.ts';
import { logicalTypeExpectation, parseSchema } from './logicalTypes.ts';
import { unstorableTextProblems } from '../core/index.ts';
import { withRetries, type RetryPolicy } from '../retry.ts';
import { personalFieldsOf, type PersonalFields } from './personalData.ts';

export interface MessageSchema {
  /** The record name: a command or event type. */
  readonly typeName: string;
  /** Namespace-qualified name; also the registry subject (RecordNameStrategy). */
  readonly subject: string;
  readonly file: string;
  readonly definition: string;
  readonly type: avro.Type;
  /** Its personal fields (`"personal": true`) and their subject field, if it has any. */
  readonly personal?: PersonalFields;
}

/** Old schemas kept for upcasters live in `history/` folders and are never current. */
export const HISTORY_FOLDER = 'history';

function avscFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === HISTORY_FOLDER ? [] : avscFiles(full);
    return entry.name.endsWith('.avsc') ? [full] : [];
  });
}

/** Every `.avsc` under avroDir, keyed by record name. Several event types share a topic, so the
 * subject is the record's full name (RecordNameStrategy), not the topic. */
export function loadSchemas(avroDir: string): Map<string, MessageSchema> {
  const schemas = new Map<string, MessageSchema>();
  for (const file of avscFiles(avroDir).sort()) {
    let type: avro.Type;
    const definition = fs.readFileSync(file, 'utf8');
    try {
      type = parseSchema(JSON.parse(definition));
    } catch (error) {
      throw new Error(`${file} is not a valid Avro schema: ${(error as Error).message}`, { cause: error });
    }
    const fullName = type.name;
    if (!fullName || type.typeName !== 'record') throw new Error(`${file}: the schema must be a named record.`);
    const typeName = fullName.split('.').pop() as string;
    const clash = schemas.get(typeName);
    if (clash) throw new Error(`${file} and ${clash.file} both define a record named ${typeName}; type names must be unique.`);
    let personal: PersonalFields | undefined;
    try {
      personal = personalFieldsOf(JSON.parse(definition));
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}.`, { cause: error });
    }
    schemas.set(typeName, { typeName, subject: fullName, file, definition: JSON.stringify(JSON.parse(definition)), type, ...(personal ? { personal } : {}) });
  }
  return schemas;
}

/** Parses one schema file (for upcasters' old schemas); the error names the file. */
export function loadSchemaFile(file: string): avro.Type {
  try {
    return parseSchema(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (error) {
    throw new Error(`${file} is not a readable Avro schema: ${(error as Error).message}`, { cause: error });
  }
}

const fingerprints = new WeakMap<avro.Type, string>();

/**
 * The schema's identity whatever its formatting: SHA-256 of Avro's parsing canonical form,
 * hashed once per type, since decoding asks for it on every message.
 */
export function fingerprintOf(type: avro.Type): string {
  let fingerprint = fingerprints.get(type);
  if (fingerprint === undefined) {
    fingerprint = type.fingerprint('sha256').toString('hex');
    fingerprints.set(type, fingerprint);
  }
  return fingerprint;
}

/**
 * Every field of `data` that does not fit the schema (logical types included) or holds text
 * Postgres cannot store, as "path: what was found".
 */
export function schemaProblems(schema: MessageSchema, data: unknown): string[] {
  const problems: string[] = [];
  schema.type.isValid(data, {
    errorHook: (pathParts, value, type) => {
      const where = pathParts.length > 0 ? pathParts.join('.') : '(the whole record)';
      const expected = logicalTypeExpectation(type);
      problems.push(`${where}: ${value === undefined ? 'missing' : `${shortJson(value)} ${expected ?? 'does not fit'}`}`);
    },
  });
  problems.push(...unstorableTextProblems(data));
  if (data && typeof data === 'object') {
    const known = fieldNamesOf(schema.type as avro.types.RecordType);
    for (const key of Object.keys(data)) if (!known.has(key)) problems.push(`${/^\w{1,100}$/.test(key) ? key : shortJson(key)}: not a field of ${schema.typeName}`);
  }
  return problems;
}

const fieldNames = new WeakMap<avro.types.RecordType, ReadonlySet<string>>();

/** A record type's field names, built once per type: every message's data is checked against them. */
function fieldNamesOf(type: avro.types.RecordType): ReadonlySet<string> {
  let names = fieldNames.get(type);
  if (!names) {
    names = new Set(type.fields.map((f) => f.name));
    fieldNames.set(type, names);
  }
  return names;
}

/** A value as JSON, cut short: a 500 kB string must not become a 500 kB reason. */
function shortJson(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

export function createRegistry(url: string): SchemaRegistry {
  return new SchemaRegistry({ host: url, retry: { retries: 2, initialRetryTimeInSecs: 0.2, maxRetryTimeInSecs: 2 } });
}

export interface RegistrationResult {
  readonly typeName: string;
  readonly subject: string;
  readonly file: string;
  readonly id?: number;
  readonly error?: string;
}

/** Registers each schema with BACKWARD_TRANSITIVE compatibility: event topics are replayed from offset zero. */
export async function registerSchemas(
  registry: SchemaRegistry,
  schemas: Iterable<MessageSchema>,
  compatibility: COMPATIBILITY = COMPATIBILITY.BACKWARD_TRANSITIVE,
): Promise<RegistrationResult[]> {
  const results: RegistrationResult[] = [];
  for (const schema of schemas) {
    try {
      const { id } = await withServerRetries(() =>
        registry.register({ type: SchemaType.AVRO, schema: schema.definition }, { subject: schema.subject, compatibility }),
      );
      results.push({ typeName: schema.typeName, subject: schema.subject, file: schema.file, id });
    } catch (error) {
      results.push({ typeName: schema.typeName, subject: schema.subject, file: schema.file, error: registryReason(error) });
    }
  }
  return results;
}

/**
 * Retries what the registry failed at on its own side (a 5xx): after its Postgres restarts, its
 * pooled connections fail once each before the pool replaces them, which went on for 11 s in the
 * fault suite; 20 attempts, 2 s apart at most, give it about 35 s.
 * A refusal (an incompatible schema: 409, 422) is an answer, and is not retried.
 */
const serverRetries: RetryPolicy = { attempts: 20, initialMs: 200, factor: 2, maxMs: 2_000 };
const isServerFailure = (error: unknown) => ((error as { status?: number }).status ?? 0) >= 500;
const withServerRetries = <T>(work: () => Promise<T>) => withRetries(work, serverRetries, { retryIf: isServerFailure });

function registryReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Confluent_Schema_Registry - /, '');
}

/** Looks up the registry ids of the local schemas; refuses to guess when one is not registered. */
export async function resolveSchemaIds(
  registry: SchemaRegistry,
  schemas: Iterable<MessageSchema>,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const schema of schemas) {
    try {
      ids.set(schema.typeName, await registry.getRegistryIdBySchema(schema.subject, { type: SchemaType.AVRO, schema: schema.definition }));
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404) {
        throw new MessagingError(
          'SCHEMA_NOT_REGISTERED',
          `${schema.file} (${schema.subject}) is not registered in the schema registry. Run \`streamfold schemas register\`.`,
          false,
          { cause: error },
        );
      }
      throw new MessagingError('REGISTRY_UNAVAILABLE', `the schema registry did not answer: ${registryReason(error)}`, true, { cause: error });
    }
  }
  return ids;
}
