import { commandTopicOf, eventTopicOf, isVersionConflict, type CommandEnvelope, type Domain } from '../core/index.ts';
import { archiveInvalidCommand, CommandAlreadyProcessed, inTransaction, onOneClient, readEventsCausedBy } from '../eventlog/index.ts';
import { noFaults, type FaultHooks } from '../faults.ts';
import { epochMs, type ChunkTimings } from '../chunkTimings.ts';
import { runBatches, type Delivered } from '../messaging/batchConsumer.ts';
import { connectWaitingForBroker } from '../messaging/connectWaiting.ts';
import type { StuckReason } from '../messaging/stallWatchdog.ts';
import type { OutgoingMessage, TransportMessage } from '../messaging/transport.ts';
import { eventHeaders } from '../messaging/envelopeHeaders.ts';
import { commandAtDoor } from '../messaging/messageDoor.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { messageDeadLettered, watchConsumer, workerChunkHandled } from '../metrics/index.ts';
import type { Runtime } from '../runtime.ts';
import { handleChunk, type ChunkItem } from './handleChunk.ts';
import { sealOne } from './sealPersonalData.ts';
import { handleCommand, type CommandResult } from './handleCommand.ts';
import { failureReason } from './commandFailures.ts';
import { commitIsolatingCulprits } from './isolateCulprits.ts';
import { StateCache } from './stateCache.ts';

export interface WorkerOptions {
  /** Domain names to handle; all of the config's by default. */
  readonly domains?: readonly string[];
  readonly cacheSize?: number;
  readonly logger?: Logger;
  /** Called when the consumer can no longer make progress on its own (see watchForStall). */
  readonly onStuck?: (reason: StuckReason, detail: string) => void;
  /** Test hooks at the points of a chunk where a crash matters (docs/reliability.md); none by default. */
  readonly faultHooks?: FaultHooks;
  /** Where each chunk's time went (the steady benchmark's timeline); nothing is measured without it. */
  readonly timings?: ChunkTimings;
}

export interface RunningWorker {
  stop(): Promise<void>;
}

export const aggregateGroupOf = (app: string) => `${app}.aggregates`;

/** The aggregate worker: command topics in, events in the Postgres log and on the event topics out. */
export async function startAggregateWorker(runtime: Runtime, options: WorkerOptions = {}): Promise<RunningWorker> {
  const domains = (options.domains ?? runtime.config.domains.map((d) => d.name)).map((name) => runtime.domainNamed(name));
  const domainByTopic = new Map(domains.map((d) => [commandTopicOf(d), d]));
  const cache = new StateCache<unknown>(options.cacheSize ?? runtime.settings.stateCacheSize);
  const logger = options.logger ?? silentLogger;
  const faults = options.faultHooks ?? noFaults;

  const { transport } = runtime;
  const producer = transport.producer();
  const group = aggregateGroupOf(runtime.config.app);
  const consumer = transport.consumer(group, {
    sessionTimeoutMs: runtime.settings.sessionTimeoutMs,
    heartbeatIntervalMs: Math.max(500, Math.floor(runtime.settings.sessionTimeoutMs / 10)),
    fetchMaxWaitMs: runtime.settings.fetchMaxWaitMs,
  });
  // A rebalance may hand our aggregates to another worker: forget every cached state.
  consumer.on('group-join', () => cache.clear());
  consumer.on('rebalancing', () => cache.clear());
  const unwatch = watchConsumer(consumer, group, [...domainByTopic.keys()]);

  await connectWaitingForBroker({
    transport,
    producer,
    consumer,
    topics: [...domainByTopic.keys()],
    timeoutMs: runtime.settings.startTimeoutMs,
    onWait: (error, waitMs) => logger.warn('waiting for the broker before connecting again', { waitMs, error: error.message }),
  });

  const decode = async (topic: string, message: TransportMessage) => {
    const domain = domainByTopic.get(topic) as Domain;
    return { domain, command: await commandAtDoor(message, domain, runtime.codec) };
  };

  const isConflict = (error: unknown) => isVersionConflict(error) || error instanceof CommandAlreadyProcessed;

  /**
   * The batched path, first without asking which commands were processed before and without a
   * transaction (its one write is a single statement: one or two round trips in all); after a
   * conflict, in a transaction that looks processed commands up; after another, one at a time.
   */
  const handleWithFallbacks = async (items: readonly ChunkItem[]): Promise<CommandResult[]> => {
    try {
      return await onOneClient(runtime.pool, (client) => handleChunk(client, items, runtime.codec, cache, faults, { processedBefore: 'assumeNone' }));
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    // The cache may hold a state a concurrent writer has moved past; neither path below fills it.
    for (const { command } of items) cache.delete(command.aggregateUuid);
    try {
      return await inTransaction(runtime.pool, (client) => handleChunk(client, items, runtime.codec, cache, faults));
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    logger.info('chunk conflicted with a concurrent writer; handling it command by command', { commands: items.length });
    return inTransaction(runtime.pool, async (client) => {
      const out: CommandResult[] = [];
      for (const { domain, command } of items) out.push(await handleCommand(client, domain, command, runtime.codec, cache, faults));
      return out;
    });
  };

  /** Commits, then caches the states the commit made: each part of an isolated chunk sees the parts before it. */
  const commit = async (items: readonly ChunkItem[]) => {
    const results = await handleWithFallbacks(items);
    results.forEach((result, i) => {
      if (result.newState) cache.set((items[i] as ChunkItem).command.aggregateUuid, result.newState.version, result.newState.state);
    });
    return results;
  };

  const recordFailure = async ({ command }: ChunkItem, error: unknown): Promise<CommandResult> => {
    const reason = failureReason(error);
    logger.info('command failed on its own data; archived as invalid', { commandUuid: command.commandUuid, commandType: command.commandType, reason });
    // Archived sealed, as every command: its personal fields must not be the plaintext left behind.
    const archived = await inTransaction(runtime.pool, async (client) => archiveInvalidCommand(client, (await sealOne(client, runtime.codec, command)).command, reason));
    if (archived) return { outcome: 'invalid', events: [] };
    return { outcome: 'duplicate', events: await inTransaction(runtime.pool, (client) => readEventsCausedBy(client, command.commandUuid)) };
  };

  const handle = async (chunk: readonly Delivered<{ domain: Domain; command: CommandEnvelope }>[]) => {
    const started = performance.now();
    const items = chunk.map((delivered) => delivered.value);
    const results = await commitIsolatingCulprits(items, {
      commit,
      recordFailure,
      onIsolating: (commands, error) => logger.info('a chunk failed on one command\'s data; isolating it', { commands, error: (error as Error).message }),
    });
    faults.at('worker.after-commit');
    const committed = performance.now();
    const byTopic = new Map<string, OutgoingMessage[]>();
    results.forEach((result, i) => {
      const { domain, command } = (chunk[i] as (typeof chunk)[number]).value;
      if (logger.traceEnabled) {
        logger.trace('command handled', { commandUuid: command.commandUuid, commandType: command.commandType, outcome: result.outcome, correlationId: command.metadata.correlationId });
      }
      const topic = eventTopicOf(domain);
      const messages = byTopic.get(topic) ?? [];
      for (const event of result.events) {
        messages.push({ key: event.aggregateUuid, value: runtime.codec.encode(event.eventType, event.data as Record<string, unknown>).value, headers: eventHeaders(event) });
      }
      byTopic.set(topic, messages);
    });
    const topicMessages = [...byTopic].filter(([, messages]) => messages.length > 0).map(([topic, messages]) => ({ topic, messages }));
    if (topicMessages.length > 0) await producer.send(topicMessages, { onResend: (partitions) => logger.info('events sent again: Kafka left partitions unanswered', { partitions }) });
    faults.at('worker.after-produce');
    const produced = performance.now();
    workerChunkHandled(items, results, topicMessages, {
      transaction: (committed - started) / 1000,
      produce: topicMessages.length > 0 ? (produced - committed) / 1000 : undefined,
      total: (produced - started) / 1000,
    });
    logger.debug('chunk handled', { ...chunkPlace(chunk), outcomes: outcomeCounts(results), transactionMs: committed - started, produceMs: produced - committed });
    options.timings?.chunk({
      ...chunkPlace(chunk),
      commands: items.map((item) => item.command.commandUuid),
      appendedAt: chunk.map((d) => Number(d.message.timestamp)),
      fetchedAt: chunk[0]?.fetchedAt ?? 0,
      startedAt: epochMs(started),
      committedAt: epochMs(committed),
      producedAt: epochMs(produced),
    });
  };

  const { stopWatching } = await runBatches(consumer, {
    onStuck: options.onStuck,
    stallMs: runtime.settings.stallMs,
    decode,
    handle,
    producer,
    // Postgres round trips dominate a chunk: overlapping partitions keeps both cores busy.
    partitionsConcurrently: runtime.settings.partitionsConcurrently,
    onCommitted: (topic, partition, offset) => logger.debug('offset committed', { topic, partition, offset }),
    onDecodeWait: (topic, error, waitMs) => logger.info('waiting to decode', { topic, error: error.message, waitMs }),
    onDeadLetter: (topic, error) => {
      messageDeadLettered(topic);
      logger.info('dead-lettered', { topic, error: error.message });
    },
  });

  return {
    async stop() {
      stopWatching();
      unwatch();
      // disconnect() waits for the batch in hand: it finishes, or its offset stays uncommitted.
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/** Where a chunk sits on its topic, for a debug line that can be matched against the topic itself. */
function chunkPlace(chunk: readonly Delivered<unknown>[]) {
  const first = chunk[0] as Delivered<unknown>;
  return { topic: first.topic, partition: first.partition, offsets: `${first.message.offset}-${(chunk.at(-1) as Delivered<unknown>).message.offset}`, commands: chunk.length };
}

function outcomeCounts(results: readonly CommandResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of results) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}
