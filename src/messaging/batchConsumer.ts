import type { Consumer, EachBatchPayload, KafkaMessage, Producer, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { brokerUnreachable, isBrokerAway, restartWhenBrokerAway } from './brokerAway.ts';
import { sendToDeadLetter } from './deadLetters.ts';
import { isPoisonMessage, isRetriableMessagingError } from './errors.ts';
import { watchForStall, type StuckReason } from './stallWatchdog.ts';
import { withRetries, type RetryPolicy } from '../retry.ts';

export interface Delivered<T> {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  readonly value: T;
}

export interface BatchHandlerOptions<T> {
  /** Turns raw bytes into a value; throws PoisonMessage for what no retry can read. */
  readonly decode: (topic: string, message: KafkaMessage) => Promise<T>;
  /**
   * Applies a chunk (one Postgres transaction, then any produce); must throw rather than lose.
   * Returning `haltAt` (an offset in the chunk) stops the partition there: the offset is committed
   * up to it, and `onHalt` decides when to go on.
   */
  readonly handle: (chunk: readonly Delivered<T>[]) => Promise<void | { haltAt: string }>;
  readonly onHalt?: (topic: string, partition: number, offset: string) => void;
  readonly producer: Producer;
  readonly chunkSize?: number;
  /** Partitions handled at once; each has its own chunks, transactions and offsets. */
  readonly partitionsConcurrently?: number;
  readonly onDeadLetter?: (topic: string, error: Error) => void;
  /**
   * Called when the consumer can no longer make progress on its own (watchForStall): a crash
   * kafkajs will not restart from, or `stallMs` (default 20 s) of unanswered fetches.
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
function decodeWaiting<T>(payload: EachBatchPayload, options: BatchHandlerOptions<T>, message: KafkaMessage): Promise<T> {
  const { topic } = payload.batch;
  return withRetries(() => options.decode(topic, message), decodeWait, {
    retryIf: (error) => isRetriableMessagingError(error) && payload.isRunning() && !payload.isStale(),
    onRetry: (error, waitMs) => options.onDecodeWait?.(topic, error as Error, waitMs),
  });
}

/** Errors that mean this member lost its place in the group; kafkajs's runner rejoins on them. */
const membershipLost = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP']);

/**
 * Commits an offset. kafkajs wraps a lost membership (a member frozen past its session timeout, or
 * one that missed a rebalance during a long chunk) in a KafkaJSNonRetriableError, and a consumer
 * crashing with that is never restarted: the process lives on with no consumer. Rethrowing the
 * protocol error underneath lets the runner rejoin instead; the chunk is already committed in
 * Postgres, so its redelivery hits the dedup tables.
 */
async function commitOffset(consumer: Consumer, offset: TopicPartitionOffsetAndMetadata): Promise<void> {
  try {
    await consumer.commitOffsets([offset]);
  } catch (error) {
    for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
      if (membershipLost.has((cause as { type?: string }).type ?? '')) throw cause;
    }
    throw error;
  }
}

/**
 * Runs work while heartbeating (kafkajs heartbeats only between messages and when told): a chunk
 * slower than the session timeout must not cost the member its partitions and the whole group a
 * rebalance. kafkajs sends a heartbeat only once its interval has passed, so asking each second is
 * cheap. A failed heartbeat (the group is rebalancing) is left to the offset commit after the
 * chunk, which fails the same way and makes the runner rejoin.
 */
async function heartbeating<R>(payload: EachBatchPayload, work: () => Promise<R>): Promise<R> {
  const timer = setInterval(() => void payload.heartbeat().catch(() => undefined), 1000);
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
 * a watchdog reports a consumer that can no longer make progress. A consumer kafkajs gives up on
 * while the broker is away is started again (restartWhenBrokerAway). `stopWatching` ends both.
 */
export async function runBatches<T>(consumer: Consumer, options: BatchHandlerOptions<T>): Promise<{ stopWatching: () => void }> {
  const chunkSize = options.chunkSize ?? 250;
  // Not stopped on the consumer's STOP event: kafkajs emits it on the way to a restart too.
  const watchdog = options.onStuck ? watchForStall(consumer, options.stallMs ?? 20_000, options.onStuck, { restartedElsewhere: isBrokerAway, brokerUnreachable }) : undefined;
  const working = <R>(work: () => Promise<R>) => (watchdog ? watchdog.working(work) : work());
  const run = () =>
    consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
      eachBatch: (payload: EachBatchPayload) => working(() => handleBatch(payload)),
    });
  const restarts = restartWhenBrokerAway(consumer, run);
  await run();
  return {
    stopWatching: () => {
      watchdog?.stop();
      restarts.stop();
    },
  };

  async function handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const commitAt = async (offset: string) => {
      await commitOffset(consumer, { topic: batch.topic, partition: batch.partition, offset });
      options.onCommitted?.(batch.topic, batch.partition, offset);
    };
    for (let start = 0; start < batch.messages.length; start += chunkSize) {
      if (!payload.isRunning() || payload.isStale()) return;
      const messages = batch.messages.slice(start, start + chunkSize);
      const halt = await heartbeating(payload, async () => {
        const chunk: Delivered<T>[] = [];
        for (const message of messages) {
          try {
            chunk.push({ topic: batch.topic, partition: batch.partition, message, value: await decodeWaiting(payload, options, message) });
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
      const last = messages.at(-1) as KafkaMessage;
      // The committed offset is the next one to read (kafkajs#540).
      await commitAt((BigInt(last.offset) + 1n).toString());
      payload.resolveOffset(last.offset);
      await payload.heartbeat();
    }
  }
}
