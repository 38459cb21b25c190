import { eventTopicOf, type Domain, type Projection, type RecordedEvent } from '../core/index.ts';
import { inTransaction, isHalted, type Pool } from '../eventlog/index.ts';
import { runBatches, type Delivered } from '../messaging/batchConsumer.ts';
import { connectWaitingForBroker } from '../messaging/connectWaiting.ts';
import type { StuckReason } from '../messaging/stallWatchdog.ts';
import type { TransportMessage } from '../messaging/transport.ts';
import { eventAtDoor } from '../messaging/messageDoor.ts';
import { noFaults, type FaultHooks } from '../faults.ts';
import { messageDeadLettered, projectorChunkApplied, watchConsumer } from '../metrics/index.ts';
import { epochMs, type ChunkTimings } from '../chunkTimings.ts';
import type { Runtime } from '../runtime.ts';
import { personalDataOpener } from './personalDataOpener.ts';
import { applyChunk, type ChunkTarget } from './applyChunk.ts';
import { projectionGroupOf, projectorNameOf, schemaOf, versionOf } from './names.ts';
import { retryDefaults } from '../retry.ts';
import { createTables, setupVersion, type VersionStatus } from './versions.ts';

export interface RunningProjector {
  readonly projection: Projection;
  /** The version this projector builds; the code's unless one was asked for. */
  readonly version: number;
  /** The version's status when the projector started: live, or replaying beside the live one. */
  readonly status: VersionStatus;
  stop(): Promise<void>;
}

export interface ProjectorOptions {
  readonly log?: (line: string, fields?: Record<string, unknown>) => void;
  /** Per-chunk detail (each offset committed); the CLI's is on at STREAMFOLD_LOG_LEVEL=debug. */
  readonly debug?: (line: string, fields?: Record<string, unknown>) => void;
  readonly retry?: typeof retryDefaults;
  /** Build this version of the projection's code instead of the one it declares (a rebuild after a fix). */
  readonly version?: number;
  /**
   * Messages per Postgres transaction. Live traffic arrives in small batches whatever this is;
   * during a replay a fetched batch holds thousands of events, and fewer, bigger transactions are faster.
   */
  readonly chunkSize?: number;
  /** Partitions applied at once, each in transactions of its own (default: STREAMFOLD_PARTITIONS_CONCURRENTLY). */
  readonly partitionsConcurrently?: number;
  /** Called when the consumer can no longer make progress on its own (see watchForStall). */
  readonly onStuck?: (reason: StuckReason, detail: string) => void;
  /** Test hooks at the points where a crash matters (docs/reliability.md); none by default. */
  readonly faultHooks?: FaultHooks;
  /** Where each chunk's time went (the steady benchmark's timeline); nothing is measured without it. */
  readonly timings?: ChunkTimings;
}

/** Creates the projection version's schema and tables; idempotent. */
export async function setupProjection(pool: Pool, projection: Projection, schema = schemaOf(projection)): Promise<void> {
  await inTransaction(pool, (client) => createTables(client, projection, schema));
}

/**
 * One consumer group per projection version, starting at offset zero, so a new version is a
 * replay. Each chunk is one transaction on the read model's pool: the new events are applied,
 * the partition's applied offset recorded, then the Kafka offset is committed after the commit.
 */
export async function startProjector(runtime: Runtime, projection: Projection, options: ProjectorOptions = {}): Promise<RunningProjector> {
  const at = versionOf(projection, options.version);
  const projector = projectorNameOf(at);
  const schema = schemaOf(at);
  const log = options.log ?? (() => undefined);
  const target: ChunkTarget = { projection, projector, schema, policy: projection.failurePolicy ?? 'halt', retry: options.retry, log, unseal: personalDataOpener(runtime) };
  const status = await setupVersion(runtime.readPool, projection, at.version);

  const faults = options.faultHooks ?? noFaults;
  const { transport } = runtime;
  const producer = transport.producer();
  const group = projectionGroupOf(runtime.config.app, at, runtime.readDatabase);
  const consumer = transport.consumer(group, {
    fetchMaxWaitMs: runtime.settings.fetchMaxWaitMs,
    sessionTimeoutMs: runtime.settings.sessionTimeoutMs,
  });
  const domainByTopic = new Map(projection.sources.map((name) => runtime.domainNamed(name)).map((domain) => [eventTopicOf(domain), domain]));
  const topics = [...domainByTopic.keys()];
  const unwatch = watchConsumer(consumer, group, topics);
  await connectWaitingForBroker({
    transport,
    producer,
    consumer,
    topics,
    timeoutMs: runtime.settings.startTimeoutMs,
    onWait: (error, waitMs) => log('waiting for the broker before connecting again', { waitMs, error: error.message }),
  });

  const decode = (topic: string, message: TransportMessage): Promise<RecordedEvent> => eventAtDoor(message, domainByTopic.get(topic) as Domain, runtime.codec);

  const handle = async (chunk: readonly Delivered<RecordedEvent>[]) => {
    const startedAt = options.timings ? epochMs() : 0;
    const started = performance.now();
    const result = await applyAndRecord(chunk);
    const seconds = (performance.now() - started) / 1000;
    faults.at('projector.after-commit');
    // A halt commits the events before it; the halted one and those after are read again.
    projectorChunkApplied(projector, result ? chunk.filter((d) => BigInt(d.message.offset) < BigInt(result.haltAt)).length : chunk.length, seconds);
    options.timings?.chunk({ ...chunkTimingPlace(chunk), fetchedAt: chunk[0]?.fetchedAt ?? 0, startedAt, committedAt: epochMs() });
    return result;
  };
  const applyAndRecord = async (chunk: readonly Delivered<RecordedEvent>[]) => {
    const deliveries = chunk.map((d) => ({ event: d.value, topic: d.topic, partition: d.partition, offset: d.message.offset }));
    const last = chunk.at(-1) as Delivered<RecordedEvent>;
    // How far the read model got, in the transaction that got it there.
    const halted = await applyChunk(runtime.readPool, target, deliveries, (haltedAt) => ({
      topic: last.topic,
      partition: last.partition,
      next: haltedAt ? BigInt(haltedAt.offset) : BigInt(last.message.offset) + 1n,
    }));
    return halted ? { haltAt: halted.offset } : undefined;
  };

  let stopped = false;
  const waitForResolution = async (topic: string, partition: number, offset: string) => {
    consumer.pause(topics);
    while (!stopped && (await isHalted(runtime.readPool, projector))) await new Promise((r) => setTimeout(r, 1000));
    if (stopped) return;
    consumer.seek(topic, partition, offset);
    consumer.resume(topics);
    log('projection resumed', { projector });
  };

  const { stopWatching } = await runBatches(consumer, {
    onStuck: options.onStuck,
    stallMs: runtime.settings.stallMs,
    decode,
    handle,
    producer,
    chunkSize: options.chunkSize ?? 1000,
    // A partition's chunks stay in order; partitions are independent, and overlapping their
    // Postgres round trips is what makes a replay faster on a machine with idle cores.
    partitionsConcurrently: options.partitionsConcurrently ?? runtime.settings.partitionsConcurrently,
    onHalt: (topic, partition, offset) => void waitForResolution(topic, partition, offset),
    onDeadLetter: (topic, error) => {
      messageDeadLettered(topic);
      log('dead-lettered', { topic, error: error.message });
    },
    onCommitted: (topic, partition, offset) => options.debug?.('offset committed', { projector, topic, partition, offset }),
    onDecodeWait: (topic, error, waitMs) => log('waiting to decode', { topic, error: error.message, waitMs }),
  });

  return {
    projection,
    version: at.version,
    status,
    async stop() {
      stopped = true;
      stopWatching();
      unwatch();
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/** A chunk's place and, for each event, the command that caused it and when the broker appended it. */
function chunkTimingPlace(chunk: readonly Delivered<RecordedEvent>[]) {
  const first = chunk[0] as Delivered<RecordedEvent>;
  return {
    topic: first.topic,
    partition: first.partition,
    offsets: `${first.message.offset}-${(chunk.at(-1) as Delivered<RecordedEvent>).message.offset}`,
    commands: chunk.map((d) => d.value.causedBy.commandUuid),
    appendedAt: chunk.map((d) => Number(d.message.timestamp)),
  };
}
