import { sendToDeadLetter } from './deadLetters.ts';
import { isPoisonMessage, isRetriableMessagingError } from './errors.ts';
import { watchForStall, type StuckReason } from './stallWatchdog.ts';
import type { PartitionBatch, TransportConsumer, TransportMessage, TransportProducer } from './transport.ts';
import { withRetries, type RetryPolicy } from '../retry.ts';

export interface Delivered<T> {
  readonly topic: string;
  readonly partition: number;
  readonly message: TransportMessage;
  readonly value: T;
  /** When the fetch that brought the message was answered (PartitionBatch.fetchedAt). */
  readonly fetchedAt: number;
}

export interface BatchHandlerOptions<T> {
  /** Turns raw bytes into a value; throws PoisonMessage for what no retry can read. */
  readonly decode: (topic: string, message: TransportMessage) => Promise<T>;
  /**
   * Applies a chunk (one Postgres transaction, then any produce); must throw rather than lose.
   * Returning `haltAt` (an offset in the chunk) stops the partition there: the offset is committed
   * up to it, and `onHalt` decides when to go on.
   */
  readonly handle: (chunk: readonly Delivered<T>[]) => Promise<void | { haltAt: string }>;
  readonly onHalt?: (topic: string, partition: number, offset: string) => void;
  readonly producer: TransportProducer;
  readonly chunkSize?: number;
  /** Partitions handled at once; each has its own chunks, transactions and offsets. */
  readonly partitionsConcurrently?: number;
  readonly onDeadLetter?: (topic: string, error: Error) => void;
  /**
   * Called when the consumer can no longer make progress on its own (watchForStall): a crash
   * nobody will restart it from, or `stallMs` (default 20 s) of unanswered fetches.
   */
  readonly onStuck?: (reason: StuckReason, detail: string) => void;
  readonly stallMs?: number;
  /** An offset was committed to Kafka (the next offset to read): for a debug log of a member's commits. */
  readonly onCommitted?: (topic: string, partition: number, offset: string) => void;
  /** A decode failed for a passing reason (the registry is away) and will be tried again after `waitMs`. */
  readonly onDecodeWait?: (topic: string, error: Error, waitMs: number) => void;
}

/** Backoff for a decode that waits for the registry: doubling from 200 ms to 5 s, for as long as it takes. */
const decodeWait: RetryPolicy = { attempts: Infinity, initialMs: 200, factor: 2, maxMs: 5_000 };

/**
 * Decodes a message, waiting in place while the failure is transient (the registry is away):
 * the member keeps its partitions and heartbeats, so an outage costs no rebalance and no
 * redelivered chunks. It gives up only when the batch is no longer ours to finish; the offset
 * has not moved past the message, so its next owner decodes it again.
 */
function decodeWaiting<T>(batch: PartitionBatch, options: BatchHandlerOptions<T>, message: TransportMessage): Promise<T> {
  const { topic } = batch;
  return withRetries(() => options.decode(topic, message), decodeWait, {
    retryIf: (error) => isRetriableMessagingError(error) && batch.isRunning() && !batch.isStale(),
    onRetry: (error, waitMs) => options.onDecodeWait?.(topic, error as Error, waitMs),
  });
}

/**
 * Runs work while heartbeating (kafkajs heartbeats only between messages and when told): a chunk
 * slower than the session timeout must not cost the member its partitions and the whole group a
 * rebalance. kafkajs sends a heartbeat only once its interval has passed, so asking each second is
 * cheap. A failed heartbeat (the group is rebalancing) is left to the offset commit after the
 * chunk, which fails the same way and makes the runner rejoin.
 */
async function heartbeating<R>(batch: PartitionBatch, work: () => Promise<R>): Promise<R> {
  const timer = setInterval(() => void batch.heartbeat().catch(() => undefined), 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * The consumer loop every streamfold process shares: decode, dead-letter the poison, handle
 * a chunk, then commit the offset after it. Dead-lettering wraps the handler; if the
 * dead-letter send fails, the error propagates and the offset does not move. With `onStuck`,
 * a watchdog reports a consumer that can no longer make progress; `stopWatching` ends it.
 */
export async function runBatches<T>(consumer: TransportConsumer, options: BatchHandlerOptions<T>): Promise<{ stopWatching: () => void }> {
  const chunkSize = options.chunkSize ?? 250;
  // Not stopped when the consumer stops: it stops on the way to a restart too.
  const watchdog = options.onStuck ? watchForStall(consumer, options.stallMs ?? 20_000, options.onStuck) : undefined;
  const working = <R>(work: () => Promise<R>) => (watchdog ? watchdog.working(work) : work());
  await consumer.run({
    partitionsConcurrently: options.partitionsConcurrently ?? 1,
    eachBatch: (batch) => working(() => handleBatch(batch)),
  });
  return { stopWatching: () => watchdog?.stop() };

  async function handleBatch(batch: PartitionBatch): Promise<void> {
    const commitAt = async (offset: string) => {
      await batch.commit(offset);
      options.onCommitted?.(batch.topic, batch.partition, offset);
    };
    for (let start = 0; start < batch.messages.length; start += chunkSize) {
      if (!batch.isRunning() || batch.isStale()) return;
      const messages = batch.messages.slice(start, start + chunkSize);
      const halt = await heartbeating(batch, async () => {
        const chunk: Delivered<T>[] = [];
        for (const message of messages) {
          try {
            chunk.push({ topic: batch.topic, partition: batch.partition, message, value: await decodeWaiting(batch, options, message), fetchedAt: batch.fetchedAt });
          } catch (error) {
            if (!isPoisonMessage(error)) throw error;
            await sendToDeadLetter(options.producer, { topic: batch.topic, partition: batch.partition, message }, error);
            options.onDeadLetter?.(batch.topic, error);
          }
        }
        return chunk.length > 0 ? await options.handle(chunk) : undefined;
      });
      if (halt) {
        await commitAt(halt.haltAt);
        options.onHalt?.(batch.topic, batch.partition, halt.haltAt);
        return;
      }
      const last = messages.at(-1) as TransportMessage;
      // The committed offset is the next one to read (kafkajs#540).
      await commitAt((BigInt(last.offset) + 1n).toString());
      await batch.heartbeat();
    }
  }
}
