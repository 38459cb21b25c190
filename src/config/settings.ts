import path from 'node:path';

/**
 * Every setting streamfold reads from the environment, with its default. The README's
 * "Configuration" table is written from this list; keep the two together.
 */
export interface Settings {
  readonly databaseUrl: string;
  readonly kafkaBrokers: string[];
  readonly kafkaPort: number;
  readonly kafkaControllerPort: number;
  readonly kafkaVersion: string;
  readonly kafkaHeapMb: number;
  readonly registryPort: number;
  readonly registryUrl: string;
  readonly registryDatabase: string;
  readonly apicurioVersion: string;
  readonly registryHeapMb: number;
  readonly cacheDir: string;
  readonly stateDir: string;
  readonly startTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly partitionsConcurrently: number;
  readonly stateCacheSize: number;
  readonly fetchMaxWaitMs: number;
  readonly stallMs: number;
  readonly logLevel: string;
  /** Kafka client security, passed through to kafkajs. */
  readonly kafkaSsl: boolean;
  readonly kafkaSasl: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | undefined;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name}=${raw} is not a positive integer; unset it to use ${fallback}.`);
  }
  return value;
}

function saslOf(env: NodeJS.ProcessEnv): Settings['kafkaSasl'] {
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (!mechanism) return undefined;
  if (mechanism !== 'plain' && mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') {
    throw new Error(`KAFKA_SASL_MECHANISM=${mechanism} is not one of plain, scram-sha-256, scram-sha-512.`);
  }
  if (!env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD === undefined) {
    throw new Error('KAFKA_SASL_MECHANISM is set, so KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must be too.');
  }
  return { mechanism, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD };
}

export function readSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const home = path.resolve(cwd, env.STREAMFOLD_HOME ?? '.streamfold');
  const kafkaPort = integer(env, 'STREAMFOLD_KAFKA_PORT', 9092);
  const registryPort = integer(env, 'STREAMFOLD_REGISTRY_PORT', 8081);
  return {
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/streamfold',
    kafkaBrokers: (env.KAFKA_BROKERS ?? `127.0.0.1:${kafkaPort}`).split(',').map((b) => b.trim()),
    kafkaPort,
    kafkaControllerPort: integer(env, 'STREAMFOLD_KAFKA_CONTROLLER_PORT', kafkaPort + 1),
    kafkaVersion: env.STREAMFOLD_KAFKA_VERSION ?? '4.1.1',
    kafkaHeapMb: integer(env, 'STREAMFOLD_KAFKA_HEAP_MB', 768),
    registryPort,
    registryUrl: env.SCHEMA_REGISTRY_URL ?? `http://127.0.0.1:${registryPort}/apis/ccompat/v7`,
    registryDatabase: env.STREAMFOLD_REGISTRY_DATABASE ?? 'streamfold_registry',
    apicurioVersion: env.STREAMFOLD_APICURIO_VERSION ?? '3.0.9',
    registryHeapMb: integer(env, 'STREAMFOLD_REGISTRY_HEAP_MB', 384),
    cacheDir: path.resolve(cwd, env.STREAMFOLD_CACHE_DIR ?? path.join(home, 'cache')),
    stateDir: path.resolve(cwd, env.STREAMFOLD_STATE_DIR ?? path.join(home, 'state')),
    startTimeoutMs: integer(env, 'STREAMFOLD_START_TIMEOUT_MS', 120_000),
    sessionTimeoutMs: integer(env, 'STREAMFOLD_SESSION_TIMEOUT_MS', 30_000),
    partitionsConcurrently: integer(env, 'STREAMFOLD_PARTITIONS_CONCURRENTLY', 3),
    stateCacheSize: integer(env, 'STREAMFOLD_STATE_CACHE_SIZE', 50_000),
    fetchMaxWaitMs: integer(env, 'STREAMFOLD_FETCH_MAX_WAIT_MS', 100),
    stallMs: integer(env, 'STREAMFOLD_STALL_MS', 20_000),
    logLevel: env.STREAMFOLD_LOG_LEVEL ?? 'info',
    kafkaSsl: env.KAFKA_SSL === 'true',
    kafkaSasl: saslOf(env),
  };
}
