import { Consumer, type BaseOptions, type CallbackWithPromise, type ListCommitsOptions, type Message, type MessagesStream, type Offsets } from '@platformatic/kafka';
import type { Logger } from '../../logger.ts';
import type { ConsumerEvents, ConsumerOptions, PartitionBatch, RunOptions, TransportConsumer } from '../transport.ts';
// The kafkajs consumer's waits: a failed batch's backoff (pipelined loop) and a crashed consumer's restart.
import { restartWaitMs } from '../kafkajs/brokerAway.ts';
import { retryBackoffMs } from '../kafkajs/pipelinedRun.ts';
import { brokerUnreachable, notingUnreachableBrokers } from './clientOptions.ts';
import { isBrokerAway, protocolErrorsIn } from './errors.ts';
import { keepingMembership } from './membership.ts';
import { toMessage } from './toMessage.ts';

/**
 * A streamfold consumer on @platformatic/kafka's message stream. The stream fetches on its own,
 * whatever the handler is doing: each message goes to its partition's lane, and a lane hands what it
 * holds to the handler as one batch as soon as it is free. So, as in the kafkajs `pipelined` loop:
 * a partition's batches are handled one after another and in order; at most `partitionsConcurrently`
 * lanes handle one at once; an offset is committed only when the handler asks, after its Postgres
 * commit. What the lanes do that the stream does not:
 * - every lane checks that its messages follow on from where it is: after a seek, a failure or a
 *   rejoin it waits for the offset the fetch was pointed at, drops what a fetch already in flight
 *   brings instead, and points the fetch there again;
 * - a handler that throws hands its batch back: the lane seeks back to its first offset not yet
 *   committed and waits a backoff before its next try;
 * - a rebalance or a rejoin drops every queued message and makes the batch in hand stale; the stream
 *   reads the assigned partitions from their committed offsets, and the dedup tables absorb what is
 *   read twice;
 * - the stream is read, not left flowing: with `maxQueuedMessages` waiting the lanes stop reading,
 *   its buffer fills and it stops fetching until they read again (1.22's `pause`/`resume` can leave
 *   its fetch loop stopped for good, so neither is used);
 * - a paused topic's lanes start no batch; what arrives meanwhile waits in them;
 * - a batch's offset is committed only in the membership it was fetched in, and a member 1.22 lets
 *   fall out of its group joins again (membership.ts).
 */
interface Lane {
  readonly topic: string;
  readonly partition: number;
  queue: Message[];
  /** Raised by a seek, a failure or a rebalance: batches of an older epoch are stale. */
  epoch: number;
  busy: boolean;
  /** The offset the lane waits for before it takes messages again (after a seek, a failure, a rejoin). */
  seekTo: bigint | undefined;
  /** An offset asked for with `seek` and not reached yet: it outlives a join, which would read from the committed offset. */
  sought: bigint | undefined;
  /** Set from a rejoin until the stream has its offsets again: every message is dropped meanwhile. */
  awaitingOffsets: boolean;
  /** The next offset the lane expects: a message before it is one a fetch brought twice. */
  next: bigint | undefined;
  /** The last offset the handler committed for this lane: where a failed batch is read again from. */
  committed: bigint | undefined;
  failures: number;
  notBefore: number;
  fetchedAt: number;
}

const laneKey = (topic: string, partition: number) => `${topic}:${partition}`;


type ListCommittedOffsets = (options: ListCommitsOptions, callback?: CallbackWithPromise<Offsets>) => Promise<Offsets> | void;

const lastRead = (committed: Offsets): Offsets => new Map([...committed].map(([topic, offsets]) => [topic, offsets.map((next) => next - 1n)]));

/**
 * @platformatic/kafka 1.22's stream takes a committed offset for the last message read and fetches
 * from one past it, where Kafka, Java's client, kafkajs and streamfold's own commits mean the next
 * one to read: a restarted member would skip a message per partition, and one caught up would ask
 * past the end (OFFSET_OUT_OF_RANGE). The stream asks its consumer for the committed offsets on
 * each join; the consumer hands it each one less, so it fetches from the committed offset itself.
 * (A partition with none, -1, becomes -2: still none, read from the earliest.)
 */
function handingCommittedOffsetsAsLastRead(consumer: Consumer): void {
  const list = consumer.listCommittedOffsets.bind(consumer) as ListCommittedOffsets;
  const asLastRead: ListCommittedOffsets = (options, callback) => {
    if (!callback) return (list(options) as Promise<Offsets>).then(lastRead);
    list(options, (error, committed) => callback(error, error || !committed ? committed : lastRead(committed)));
  };
  consumer.listCommittedOffsets = asLastRead as Consumer['listCommittedOffsets'];
}

export interface PlatformaticConsumerOptions extends ConsumerOptions {
  readonly fetchMinBytes?: number;
  readonly maxQueuedMessages?: number;
}

export function platformaticConsumer(base: BaseOptions, groupId: string, options: PlatformaticConsumerOptions, logger: Logger): TransportConsumer {
  const consumer = new Consumer({
    ...base,
    groupId,
    ...(options.sessionTimeoutMs !== undefined ? { sessionTimeout: options.sessionTimeoutMs } : {}),
    ...(options.heartbeatIntervalMs !== undefined ? { heartbeatInterval: options.heartbeatIntervalMs } : {}),
    maxWaitTime: options.fetchMaxWaitMs ?? 100,
    minBytes: options.fetchMinBytes ?? 1,
  });
  notingUnreachableBrokers(consumer);
  handingCommittedOffsetsAsLastRead(consumer);
  const membership = keepingMembership(consumer, groupId, logger);
  const maxQueued = options.maxQueuedMessages ?? 10_000;
  const listeners: { [E in keyof ConsumerEvents]: Set<(payload: ConsumerEvents[E]) => void> } = {
    fetch: new Set(),
    rebalancing: new Set(),
    'group-join': new Set(),
    crash: new Set(),
  };
  const emit = <E extends keyof ConsumerEvents>(event: E, payload: ConsumerEvents[E]) => {
    for (const listener of listeners[event]) listener(payload);
  };

  let topics: string[] = [];
  let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  let run: RunOptions | undefined;
  let running = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let restartsInARow = 0;
  let lastFetchAt = 0;
  const lanes = new Map<string, Lane>();
  const pausedTopics = new Set<string>();
  const inHand = new Set<Promise<void>>();
  let active = 0;
  let queued = 0;
  let wakeTimer: NodeJS.Timeout | undefined;

  const laneOf = (topic: string, partition: number): Lane => {
    const key = laneKey(topic, partition);
    let lane = lanes.get(key);
    if (!lane) {
      lane = { topic, partition, queue: [], epoch: 0, busy: false, seekTo: undefined, sought: undefined, awaitingOffsets: false, next: undefined, committed: undefined, failures: 0, notBefore: 0, fetchedAt: 0 };
      lanes.set(key, lane);
    }
    return lane;
  };

  /** Points the stream's next fetch of the lane's partition at `offset`. */
  const pointFetchAt = (lane: Lane, offset: bigint) => stream?.offsetsToFetch.set(laneKey(lane.topic, lane.partition), offset);

  const dropQueue = (lane: Lane) => {
    queued -= lane.queue.length;
    lane.queue = [];
    lane.epoch += 1;
  };

  const seekLane = (lane: Lane, offset: bigint) => {
    dropQueue(lane);
    lane.seekTo = offset;
    lane.next = undefined;
    pointFetchAt(lane, offset);
    // What the queue held no longer fills it: read on (pull is defined below; a seek comes after).
    queueMicrotask(() => pull());
  };

  const receive = (message: Message) => {
    const lane = laneOf(message.topic, message.partition);
    if (lane.awaitingOffsets) return;
    if (lane.seekTo !== undefined) {
      if (message.offset !== lane.seekTo) {
        // From a fetch sent before the seek: it moved the stream's position on, so point it back.
        pointFetchAt(lane, lane.seekTo);
        return;
      }
      lane.seekTo = undefined;
      lane.sought = undefined;
    } else if (lane.next !== undefined && message.offset < lane.next) {
      return;
    }
    lane.next = message.offset + 1n;
    lane.queue.push(message);
    lane.fetchedAt = lastFetchAt;
    queued += 1;
  };

  /** Reads what the stream holds while the lanes have room; reading again is what lets it fetch again. */
  const pull = () => {
    while (stream && queued < maxQueued) {
      const message = stream.read() as Message | null;
      if (message === null) break;
      receive(message);
    }
    // Only now, with everything the stream held in its lanes: a lane started at the first message
    // of a fetch would take a batch of one and leave the rest of the fetch to another transaction.
    schedule();
  };

  const schedule = () => {
    if (!run || !running) return;
    const now = Date.now();
    let soonest = Infinity;
    for (const lane of lanes.values()) {
      if (active >= (run.partitionsConcurrently ?? 1)) break;
      if (lane.busy || lane.queue.length === 0 || pausedTopics.has(lane.topic)) continue;
      if (lane.notBefore > now) {
        soonest = Math.min(soonest, lane.notBefore);
        continue;
      }
      start(lane, run.eachBatch);
    }
    if (soonest !== Infinity && !wakeTimer) {
      wakeTimer = setTimeout(() => {
        wakeTimer = undefined;
        schedule();
      }, soonest - now);
    }
  };

  const start = (lane: Lane, eachBatch: RunOptions['eachBatch']) => {
    const messages = lane.queue;
    lane.queue = [];
    const { epoch } = lane;
    // The membership the batch was fetched in: Kafka fences a commit by generation, not by assignment.
    const { generationId, memberId } = consumer;
    const inFetchedMembership = () => consumer.generationId === generationId && consumer.memberId === memberId;
    lane.busy = true;
    active += 1;
    const batch: PartitionBatch = {
      topic: lane.topic,
      partition: lane.partition,
      messages: messages.map(toMessage),
      fetchedAt: lane.fetchedAt,
      isRunning: () => running,
      isStale: () => lane.epoch !== epoch,
      // The consumer heartbeats on its own timer, whatever the handler does.
      heartbeat: async () => undefined,
      async commit(offset) {
        // After a rejoin the group may have given the partition to another member, which commits its
        // own offsets: this batch's, sent in the new generation, would be accepted and move it back.
        if (!inFetchedMembership()) {
          logger.debug('an offset of an ended membership is not committed', { topic: lane.topic, partition: lane.partition, offset });
          return;
        }
        try {
          await consumer.commit({ offsets: [{ topic: lane.topic, partition: lane.partition, offset: BigInt(offset), leaderEpoch: -1 }] });
        } catch (error) {
          // Only a refusal in the membership that is still current says this member is out of the group.
          if (inFetchedMembership()) membership.commitRefused(error);
          throw error;
        }
        lane.committed = BigInt(offset);
      },
    };
    const handled = eachBatch(batch).then(
      () => void (lane.failures = 0),
      (error: unknown) => {
        lane.failures += 1;
        lane.notBefore = Date.now() + retryBackoffMs(lane.failures);
        logger.warn('a batch failed; its partition is read again from its first uncommitted offset', { topic: lane.topic, partition: lane.partition, error: (error as Error).message });
        if (lane.epoch === epoch) seekLane(lane, lane.committed ?? (messages[0] as Message).offset);
      },
    );
    const done = handled.finally(() => {
      queued -= messages.length;
      lane.busy = false;
      active -= 1;
      inHand.delete(done);
      schedule();
      pull();
    });
    inHand.add(done);
  };

  /** The group moved partitions or this member joined again: what is queued may no longer be ours. */
  const forgetQueued = () => {
    for (const lane of lanes.values()) {
      dropQueue(lane);
      lane.awaitingOffsets = true;
      lane.seekTo = undefined;
      lane.next = undefined;
      lane.committed = undefined;
    }
    queueMicrotask(() => pull());
  };
  /** The stream read the committed offsets of what this member was assigned: each lane waits for its own. */
  const offsetsKnown = () => {
    for (const { topic, partitions } of consumer.assignments ?? []) {
      for (const partition of partitions) {
        const lane = laneOf(topic, partition);
        lane.awaitingOffsets = false;
        if (lane.sought !== undefined) seekLane(lane, lane.sought);
        else lane.seekTo = stream?.offsetsToFetch.get(laneKey(topic, partition));
      }
    }
  };

  consumer.on('consumer:group:rebalance', () => {
    forgetQueued();
    emit('rebalancing', {});
  });
  consumer.on('consumer:group:join', () => {
    restartsInARow = 0;
    forgetQueued();
    emit('group-join', {});
  });

  const openStream = async () => {
    const opened = await consumer.consume({ topics, mode: 'committed', fallbackMode: 'earliest', autocommit: false });
    stream = opened;
    opened.on('fetch', () => {
      lastFetchAt = Date.now();
      emit('fetch', {});
    });
    opened.on('offsets', offsetsKnown);
    opened.on('readable', pull);
    opened.on('error', (error: Error) => crashed(error));
    // The stream may have read its first offsets before these listeners were on.
    offsetsKnown();
  };

  const crashed = (error: Error) => {
    if (!running) return;
    stream = undefined;
    forgetQueued();
    emit('crash', { error, restart: true });
    const waitMs = restartWaitMs(restartsInARow++);
    logger.error(`the consumer's stream failed; starting it again in ${waitMs} ms`, { groupId, error: error.message, brokerErrors: protocolErrorsIn(error), brokerAway: isBrokerAway(error) });
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (running) openStream().catch((failure: Error) => crashed(failure));
    }, waitMs);
  };

  return {
    async connect(subscribed) {
      topics = [...subscribed];
      // Fails as kafkajs's connect does when no broker answers.
      await consumer.metadata({ topics });
    },
    async run(runOptions) {
      run = runOptions;
      running = true;
      // As kafkajs's runner: a join that fails is a crash, reported and tried again, not a failed start.
      await openStream().catch((error: Error) => crashed(error));
    },
    pause(paused) {
      for (const topic of paused) pausedTopics.add(topic);
    },
    resume(resumed) {
      for (const topic of resumed) pausedTopics.delete(topic);
      schedule();
      pull();
    },
    seek(topic, partition, offset) {
      const lane = laneOf(topic, partition);
      lane.sought = BigInt(offset);
      seekLane(lane, lane.sought);
    },
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => void set.delete(listener);
    },
    brokerUnreachable,
    async disconnect() {
      running = false;
      membership.stop();
      clearTimeout(restartTimer);
      clearTimeout(wakeTimer);
      await Promise.allSettled([...inHand]);
      await stream?.close().catch(() => undefined);
      await consumer.close(true);
    },
  };
}
