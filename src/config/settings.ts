import { StreamfoldError, type CoreErrorCode } from '../core/index.ts';
import type { ConsumeLoop } from '../messaging/transport.ts';

/** The Kafka client behind the transport interface (src/messaging/createTransport.ts). */
export type KafkaClientName = 'kafkajs' | 'platformatic';

const configurationError = (message: string) => new StreamfoldError<CoreErrorCode>('CONFIGURATION', message);

/**
 * What a streamfold process (worker, projector, reactor, gateway, CLI) reads from the environment,
 * with its default. The local development stack's own settings (ports, versions, heaps, folders)
 * are src/stack/settings.ts's. The README's "Configuration" table is written from both lists; keep
 * them together.
 */
export interface Settings {
  readonly databaseUrl: string;
  readonly kafkaBrokers: string[];
  readonly registryUrl: string;
  readonly startTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly partitionsConcurrently: number;
  readonly stateCacheSize: number;
  readonly fetchMaxWaitMs: number;
  /** How many bytes a fetch waits for (up to fetchMaxWaitMs) before the broker answers: 1 answers at the first message. */
  readonly fetchMinBytes: number;
  /** How consumers run: fetching while they handle (`pipelined`), or kafkajs's fetch-then-handle (`sequential`). */
  readonly consumeLoop: ConsumeLoop;
  /** Which Kafka client the processes use: kafkajs (the default) or @platformatic/kafka. */
  readonly kafkaClient: KafkaClientName;
  readonly stallMs: number;
  readonly logLevel: string;
  /** Kafka client security, passed through to the Kafka client. */
  readonly kafkaSsl: boolean;
  readonly kafkaSasl: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | undefined;
  /** What `topics apply` gives every topic; unset follows the topic file, then the cluster's size (src/messaging/topics.ts). */
  readonly topicReplicationFactor?: number | undefined;
  readonly topicMinInsyncReplicas?: number | undefined;
}

/** A positive whole number from the environment, or the fallback when unset. */
export function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw configurationError(`${name}=${raw} is not a positive integer; unset it to use ${fallback}.`);
  }
  return value;
}

/** A positive whole number from the environment, or undefined when unset. */
const optionalInteger = (env: NodeJS.ProcessEnv, name: string): number | undefined => (env[name] ? integer(env, name, 1) : undefined);

function consumeLoopOf(env: NodeJS.ProcessEnv): ConsumeLoop {
  // Sequential stays the default: on this project's 2-core bench the pipelined loop removed the wait
  // for the loop but lost end to end (docs/benchmarks.md, "The consume loop").
  const loop = env.STREAMFOLD_CONSUME_LOOP || 'sequential';
  if (loop !== 'pipelined' && loop !== 'sequential') throw configurationError(`STREAMFOLD_CONSUME_LOOP=${loop} is not one of pipelined, sequential.`);
  return loop;
}

function kafkaClientOf(env: NodeJS.ProcessEnv): KafkaClientName {
  // kafkajs stays the default until the side-by-side (`npm run bench pipelineClients`) says otherwise.
  const client = env.STREAMFOLD_KAFKA_CLIENT || 'kafkajs';
  if (client !== 'kafkajs' && client !== 'platformatic') throw configurationError(`STREAMFOLD_KAFKA_CLIENT=${client} is not one of kafkajs, platformatic.`);
  return client;
}

function saslOf(env: NodeJS.ProcessEnv): Settings['kafkaSasl'] {
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (!mechanism) return undefined;
  if (mechanism !== 'plain' && mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') {
    throw configurationError(`KAFKA_SASL_MECHANISM=${mechanism} is not one of plain, scram-sha-256, scram-sha-512.`);
  }
  if (!env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD === undefined) {
    throw configurationError('KAFKA_SASL_MECHANISM is set, so KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must be too.');
  }
  return { mechanism, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD };
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  // The clients' defaults are where the local stack listens (src/stack/settings.ts reads the same ports).
  const kafkaPort = integer(env, 'STREAMFOLD_KAFKA_PORT', 9092);
  const registryPort = integer(env, 'STREAMFOLD_REGISTRY_PORT', 8081);
  return {
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/streamfold',
    kafkaBrokers: (env.KAFKA_BROKERS ?? `127.0.0.1:${kafkaPort}`).split(',').map((b) => b.trim()),
    registryUrl: env.SCHEMA_REGISTRY_URL ?? `http://127.0.0.1:${registryPort}/apis/ccompat/v7`,
    startTimeoutMs: integer(env, 'STREAMFOLD_START_TIMEOUT_MS', 120_000),
    sessionTimeoutMs: integer(env, 'STREAMFOLD_SESSION_TIMEOUT_MS', 30_000),
    partitionsConcurrently: integer(env, 'STREAMFOLD_PARTITIONS_CONCURRENTLY', 3),
    stateCacheSize: integer(env, 'STREAMFOLD_STATE_CACHE_SIZE', 50_000),
    fetchMaxWaitMs: integer(env, 'STREAMFOLD_FETCH_MAX_WAIT_MS', 100),
    fetchMinBytes: integer(env, 'STREAMFOLD_FETCH_MIN_BYTES', 1),
    consumeLoop: consumeLoopOf(env),
    kafkaClient: kafkaClientOf(env),
    stallMs: integer(env, 'STREAMFOLD_STALL_MS', 20_000),
    logLevel: env.STREAMFOLD_LOG_LEVEL ?? 'info',
    kafkaSsl: env.KAFKA_SSL === 'true',
    kafkaSasl: saslOf(env),
    topicReplicationFactor: optionalInteger(env, 'STREAMFOLD_TOPIC_REPLICATION_FACTOR'),
    topicMinInsyncReplicas: optionalInteger(env, 'STREAMFOLD_TOPIC_MIN_INSYNC_REPLICAS'),
  };
}
