import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { readSettings, type Settings } from './config/settings.ts';
import { avroDirOf, type StreamfoldConfig } from './config/streamfoldConfig.ts';
import { StreamfoldError, type CoreErrorCode, type Domain } from './core/index.ts';
import { createPool, type Pool } from './eventlog/index.ts';
import { createCodec, type Codec } from './messaging/codec.ts';
import { isRetriableMessagingError } from './messaging/errors.ts';
import { createTransport } from './messaging/createTransport.ts';
import type { Transport } from './messaging/transport.ts';
import { createUpcasting } from './messaging/upcasting.ts';
import { createRegistry, loadSchemas, resolveSchemaIds, type MessageSchema } from './messaging/schemaCatalog.ts';

/** Everything a streamfold process talks to, made once and closed once. */
export interface Runtime {
  readonly settings: Settings;
  readonly config: StreamfoldConfig;
  readonly pool: Pool;
  /** Read models, projected_events and projection versions: the event log's pool unless a read database is named. */
  readonly readPool: Pool;
  /** The read database's name when it is not the event log's; it joins the projection group ids. */
  readonly readDatabase: string | undefined;
  /** The Kafka client, behind the transport interface (src/messaging/transport.ts). */
  readonly transport: Transport;
  readonly registry: SchemaRegistry;
  readonly schemas: Map<string, MessageSchema>;
  readonly codec: Codec;
  domainOfCommand(commandType: string): Domain | undefined;
  domainNamed(name: string): Domain;
  close(): Promise<void>;
}

/** A registry that is down is transient: wait for it (up to timeoutMs) instead of failing to start. */
async function untilRegistryAnswers<T>(work: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isRetriableMessagingError(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/**
 * Snapshots store the decider's state, which holds plaintext; no snapshot may hold personal data,
 * so a domain with personal fields cannot snapshot (a documented limitation, README "Personal data").
 */
export function refuseSnapshotsOfPersonalData(domains: readonly Domain[], schemas: Map<string, MessageSchema>): void {
  for (const domain of domains) {
    if (!domain.snapshots) continue;
    const personal = [...domain.commandTypes, ...domain.eventTypes].filter((type) => schemas.get(type)?.personal);
    if (personal.length > 0) {
      throw new StreamfoldError<CoreErrorCode>('CONFIGURATION', `the ${domain.name} domain snapshots its state, but ${personal.join(', ')} have personal fields; a snapshot would keep them in plain text. Remove its snapshots option.`);
    }
  }
}

/**
 * Read models may live in a database of their own (`streamfold rebuild` makes one); set
 * STREAMFOLD_READ_DATABASE_URL, or pass readDatabaseUrl, to keep such a database current.
 */
export async function openRuntime(
  config: StreamfoldConfig,
  role: string,
  settings = readSettings(),
  options: { readDatabaseUrl?: string } = {},
): Promise<Runtime> {
  const schemas = loadSchemas(avroDirOf(config));
  refuseSnapshotsOfPersonalData(config.domains, schemas);
  const registry = createRegistry(settings.registryUrl);
  const ids = await untilRegistryAnswers(() => resolveSchemaIds(registry, schemas.values()), settings.startTimeoutMs);
  const pool = createPool(settings.databaseUrl);
  const readDatabaseUrl = options.readDatabaseUrl ?? process.env.STREAMFOLD_READ_DATABASE_URL;
  const separateReads = readDatabaseUrl !== undefined && readDatabaseUrl !== '' && readDatabaseUrl !== settings.databaseUrl;
  const readPool = separateReads ? createPool(readDatabaseUrl) : pool;
  const commandOwners = new Map<string, Domain>();
  for (const domain of config.domains) for (const type of domain.commandTypes) commandOwners.set(type, domain);
  return {
    settings,
    config,
    pool,
    readPool,
    readDatabase: separateReads ? decodeURIComponent(new URL(readDatabaseUrl).pathname.slice(1)) : undefined,
    transport: createTransport(settings, `${config.app}.${role}`),
    registry,
    schemas,
    codec: createCodec(registry, schemas, ids, createUpcasting(avroDirOf(config), config.domains, schemas)),
    domainOfCommand: (commandType) => commandOwners.get(commandType),
    domainNamed(name) {
      const domain = config.domains.find((d) => d.name === name);
      if (!domain) throw new Error(`no domain named ${name}; the config has ${config.domains.map((d) => d.name).join(', ')}`);
      return domain;
    },
    async close() {
      if (readPool !== pool) await readPool.end();
      await pool.end();
    },
  };
}
