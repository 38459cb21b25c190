import { COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import type { Settings } from './config/settings.ts';
import { avroDirOf, type StreamfoldConfig } from './config/streamfoldConfig.ts';
import { countEventsByWriterSchema, createPool, eventLogExists } from './eventlog/index.ts';
import { createCodec } from './messaging/codec.ts';
import { createRegistry, loadSchemas, registerSchemas, type RegistrationResult } from './messaging/schemaCatalog.ts';
import { judge, registeredVersions, setCompatibility, type SchemaVerdict, type WrittenSchema } from './messaging/schemaCompatibility.ts';
import { createUpcasting } from './messaging/upcasting.ts';

/** The command and event types of the config's domains: another app's sharing the avro folder, registry or database are not this one's to judge. */
export const messageTypesOf = (config: Pick<StreamfoldConfig, 'domains'>): ReadonlySet<string> =>
  new Set(config.domains.flatMap((d) => [...d.commandTypes, ...d.eventTypes, ...(d.refusalTypes ?? [])]));

/**
 * `schemas check`: the config's local schemas against every version the registry holds, and every
 * (type, writer schema) still in its domains' streams of the event log against today's schemas.
 */
export async function checkSchemas(settings: Settings, config: StreamfoldConfig): Promise<SchemaVerdict[]> {
  const schemas = loadSchemas(avroDirOf(config));
  const upcasting = createUpcasting(avroDirOf(config), config.domains, schemas);
  const ours = messageTypesOf(config);
  const results: SchemaVerdict[] = [];
  for (const schema of schemas.values()) {
    if (!ours.has(schema.typeName)) continue;
    const written = await registeredVersions(settings.registryUrl, schema.subject);
    const { verdict, details } = written.length === 0 ? { verdict: 'new' as const, details: [] } : judge(schema, written, upcasting);
    results.push({ subject: schema.subject, file: schema.file, verdict, details });
  }

  const pool = createPool(settings.databaseUrl, 1);
  try {
    if (!(await eventLogExists(pool))) return results;
    // By stream type, not event type: a type renamed since (read through an upcaster) is still this config's.
    const rows = await countEventsByWriterSchema(pool, config.domains.map((d) => d.aggregateType));
    const codec = createCodec(createRegistry(settings.registryUrl), schemas, new Map(), upcasting);
    const byType = new Map<string, WrittenSchema[]>();
    for (const row of rows) {
      const type = await codec.writerSchema(row.schemaId);
      byType.set(row.type, [...(byType.get(row.type) ?? []), { label: `${row.count} events in the log written with schema id ${row.schemaId}`, type }]);
    }
    for (const [typeName, written] of byType) {
      const local = schemas.get(typeName);
      const { verdict, details } = judge(local, written, upcasting);
      results.push({ subject: `event log: ${typeName}`, file: local?.file ?? '(no schema file)', verdict, details });
    }
  } finally {
    await pool.end();
  }
  return results;
}

/**
 * `schemas register`: BACKWARD_TRANSITIVE registration; a change the registry refuses is
 * registered only when upcasters cover every older version it cannot read.
 */
export async function registerWithUpcasters(settings: Settings, config: StreamfoldConfig): Promise<(RegistrationResult & { viaUpcaster?: boolean })[]> {
  const schemas = loadSchemas(avroDirOf(config));
  const upcasting = createUpcasting(avroDirOf(config), config.domains, schemas);
  const registry = createRegistry(settings.registryUrl);
  const results: (RegistrationResult & { viaUpcaster?: boolean })[] = [];
  for (const result of await registerSchemas(registry, schemas.values())) {
    const schema = schemas.get(result.typeName);
    if (!result.error || !schema || !/incompatib/i.test(result.error)) {
      results.push(result);
      continue;
    }
    const { verdict, details } = judge(schema, await registeredVersions(settings.registryUrl, schema.subject), upcasting);
    if (verdict !== 'needs-upcaster') {
      results.push({ ...result, error: `${result.error}\n    ${details.join('\n    ')}` });
      continue;
    }
    // Every version Avro cannot resolve has an upcaster: let this one past the rule, then restore it.
    await setCompatibility(settings.registryUrl, schema.subject, 'NONE');
    try {
      const [forced] = await registerSchemas(registry, [schema], COMPATIBILITY.NONE);
      results.push({ ...(forced as RegistrationResult), viaUpcaster: true });
    } finally {
      await setCompatibility(settings.registryUrl, schema.subject, 'BACKWARD_TRANSITIVE');
    }
  }
  return results;
}
