import type { Consumer, EachBatchPayload, Logger } from 'kafkajs';
import type { PartitionBatch, RunOptions } from '../transport.ts';
import { coalescedCommits } from './coalescedCommits.ts';
import { toMessage } from './toMessage.ts';

/**
 * A consume loop that never waits for itself (issue 15). kafkajs's runner fetches again only once
 * every batch of its last fetch is handled, so a command appended while a chunk is in Postgres
 * waits for the whole cycle (21.9 ms of the 35 ms from send to worker, docs/benchmarks.md). Here
 * the runner's `eachBatch` only hands each batch to a lane of its partition and resolves the
 * batch's last offset, which with auto-commit off moves the next fetch on and commits nothing: the
 * next fetch is out at the broker while the lanes work.
 *
 * What stays as it was: a partition's batches are handled one after another, in order, by one lane;
 * at most `partitionsConcurrently` lanes handle a batch at once; an offset is committed only when
 * the handler asks, after its Postgres commit. What the lanes take over from the runner:
 * - offsets are committed off the handler's path: one commit in flight carries the newest offset of
 *   every partition that asked (coalesced), never an offset a handler has not asked for;
 * - a handler that throws hands its batch back: the lane's queue is dropped, the partition is
 *   sought back to its first uncommitted offset and waits a backoff before its next try;
 * - a rebalance, a rejoin or a crash drops every queued batch (the fetch position is the committed
 *   offset again) and makes the batch in hand stale, so it stops after its chunk in flight; its
 *   next owner reads from the committed offset and the dedup tables absorb the overlap; a commit
 *   sent before it and refused after it spoke for the membership before: it is let go, neither
 *   retried nor a cause to rejoin;
 * - a lane holding `maxQueuedBatches` pauses its partition's fetching until it drains, and a lane
 *   that gets to work takes every batch queued as one (under load, larger chunks);
 * - `seek` drops the partition's queue; `pause` of a topic holds its lanes' queues unstarted.
 */
export interface PipelinedRun {
  /** Stops handing over batches, waits for those in hand and flushes the offsets they committed. */
  drain(): Promise<void>;
  seek(topic: string, partition: number, offset: string): void;
  pause(topics: readonly string[]): void;
  resume(topics: readonly string[]): void;
  /**
   * The group moved partitions, was joined again or the consumer crashed: what is queued is out of
   * date, and a commit answered from now on speaks of the membership before.
   */
  forgetQueued(): void;
}

interface Lane {
  readonly topic: string;
  readonly partition: number;
  readonly queue: PartitionBatch[];
  /** Raised by a seek, a failure or a rebalance: batches of an older epoch are stale. */
  epoch: number;
  busy: boolean;
  /** Where to seek back to if the batch in hand fails: its first offset not yet committed. */
  uncommittedFrom: string | undefined;
  failures: number;
  notBefore: number;
  /** When the oldest batch in the queue arrived (a sequence number): lanes take turns oldest first. */
  waitingSince: number;
  pausedForBackpressure: boolean;
}

export interface PipelinedRunOptions extends RunOptions {
  readonly consumer: Consumer;
  readonly logger: Logger;
  /** Commits offsets; rejects with the protocol error when this member lost its place in the group. */
  readonly commitOffsets: (offsets: { topic: string; partition: number; offset: string }[]) => Promise<void>;
  readonly maxQueuedBatches?: number;
  /** When the last fetch was answered: the batches handed over now came with it. */
  readonly fetchedAt: () => number;
}

// As kafkajs's retrier starts (300 ms, doubling), capped so a Postgres back after an outage is seen within 5 s.
export const retryBackoffMs = (failures: number) => Math.min(300 * 2 ** (failures - 1), 5_000);

export function pipelinedRun(options: PipelinedRunOptions): { eachBatch: (payload: EachBatchPayload) => Promise<void>; run: PipelinedRun } {
  const { consumer, logger, eachBatch: handle } = options;
  const limit = options.partitionsConcurrently ?? 1;
  const maxQueued = options.maxQueuedBatches ?? 4;
  const lanes = new Map<string, Lane>();
  const pausedTopics = new Set<string>();
  const waiting: (() => void)[] = [];
  let active = 0;
  let arrivals = 0;
  let stopping = false;
  let retryTimer: NodeJS.Timeout | undefined;

  // Raised by each join, rebalance and crash the transport reports: a membership ends with it.
  let membership = 0;
  // Set when a commit found this member out of its group: the runner rejoins on the next batch of
  // the same membership. A commit sent while a rejoin was under way is answered after it, refused
  // with the member id of before; rejoining on that would drop the member id the group just gave
  // (kafkajs does on UNKNOWN_MEMBER_ID), leave the old one behind until its session expires, and
  // do the same again on the next such commit: a rebalance every session timeout, for good
  // (docs/reliability.md, finding 19).
  let rejoinWith: { error: Error; membership: number } | undefined;
  const commitInMembership = async (batch: { topic: string; partition: number; offset: string }[]) => {
    const sentIn = membership;
    try {
      await options.commitOffsets(batch);
    } catch (error) {
      // Offsets of an earlier membership: its successor reads from what the group has committed.
      if (membership !== sentIn) return logger.info('Offset commit of an earlier group membership dropped', { error: (error as Error).message });
      throw error;
    }
  };
  const offsets = coalescedCommits(
    commitInMembership,
    (error) => {
      dropAllQueued();
      offsets.forget();
      rejoinWith = { error, membership };
    },
    logger,
  );

  const laneOf = (topic: string, partition: number): Lane => {
    const key = `${topic}|${partition}`;
    let lane = lanes.get(key);
    if (!lane) {
      lane = { topic, partition, queue: [], epoch: 0, busy: false, uncommittedFrom: undefined, failures: 0, notBefore: 0, waitingSince: 0, pausedForBackpressure: false };
      lanes.set(key, lane);
    }
    return lane;
  };

  const holdFetching = (lane: Lane, hold: boolean) => {
    if (lane.pausedForBackpressure === hold) return;
    lane.pausedForBackpressure = hold;
    // A topic the caller paused stays paused: only its own pause's resume lets it go.
    if (hold) consumer.pause([{ topic: lane.topic, partitions: [lane.partition] }]);
    else if (!pausedTopics.has(lane.topic)) consumer.resume([{ topic: lane.topic, partitions: [lane.partition] }]);
  };

  const ready = (lane: Lane) => !lane.busy && lane.queue.length > 0 && !pausedTopics.has(lane.topic) && Date.now() >= lane.notBefore;

  function dispatch(): void {
    if (stopping) return;
    // Oldest waiting first, so a busy partition cannot keep the others from their turn.
    const turns = [...lanes.values()].filter(ready).sort((a, b) => a.waitingSince - b.waitingSince);
    for (const lane of turns) {
      if (active >= limit) return;
      void work(lane);
    }
    const nextTry = Math.min(...[...lanes.values()].filter((l) => !l.busy && l.queue.length > 0 && l.notBefore > Date.now()).map((l) => l.notBefore));
    if (Number.isFinite(nextTry) && !retryTimer) {
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        dispatch();
      }, nextTry - Date.now());
    }
  }

  async function work(lane: Lane): Promise<void> {
    // Under load a lane takes everything queued at once: larger chunks, fewer transactions per command.
    const batch = joined(lane.queue.splice(0));
    holdFetching(lane, false);
    lane.busy = true;
    active++;
    lane.uncommittedFrom = batch.messages[0]?.offset;
    try {
      if (!batch.isStale()) await handle(batch);
      lane.failures = 0;
    } catch (error) {
      failed(lane, batch, error);
    } finally {
      lane.busy = false;
      active--;
      waiting.splice(0).forEach((wake) => wake());
      dispatch();
    }
  }

  /** As kafkajs's runner does with a throwing handler: logs it and reads the batch again, after a backoff. */
  function failed(lane: Lane, batch: PartitionBatch, error: unknown): void {
    logger.error('Error when calling eachBatch', { topic: lane.topic, partition: lane.partition, offset: batch.messages[0]?.offset, error: (error as Error).message, stack: (error as Error).stack });
    if (batch.isStale() || stopping) return;
    lane.failures++;
    lane.notBefore = Date.now() + retryBackoffMs(lane.failures);
    if (lane.uncommittedFrom !== undefined) seek(lane.topic, lane.partition, lane.uncommittedFrom);
  }

  /** Makes the lane's queued batches and its batch in hand out of date. */
  function dropQueued(lane: Lane): void {
    lane.epoch++;
    lane.queue.length = 0;
    holdFetching(lane, false);
  }

  function seek(topic: string, partition: number, offset: string): void {
    dropQueued(laneOf(topic, partition));
    consumer.seek({ topic, partition, offset });
  }

  function dropAllQueued(): void {
    for (const lane of lanes.values()) dropQueued(lane);
  }

  function forgetQueued(): void {
    membership++;
    dropAllQueued();
    offsets.forget();
  }

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { topic, partition } = payload.batch;
    if (rejoinWith) {
      const { error, membership: lostIn } = rejoinWith;
      rejoinWith = undefined;
      // The group has been joined since: the membership that was lost is gone already.
      if (lostIn === membership) throw error;
    }
    // A seek is waiting for the next fetch: this batch is from before it.
    if (stopping || payload.isStale()) return;
    const lane = laneOf(topic, partition);
    const epoch = lane.epoch;
    if (lane.queue.length === 0) lane.waitingSince = ++arrivals;
    lane.queue.push(batchOf(payload, lane, epoch, options.fetchedAt()));
    payload.resolveOffset(payload.batch.lastOffset());
    if (lane.queue.length >= maxQueued) holdFetching(lane, true);
    dispatch();
    // The runner heartbeats only after an empty fetch; under load, this is where a rebalance is heard.
    await payload.heartbeat();
  };

  function batchOf(payload: EachBatchPayload, lane: Lane, epoch: number, fetchedAt: number): PartitionBatch {
    const { topic, partition } = lane;
    return {
      topic,
      partition,
      messages: payload.batch.messages.map(toMessage),
      fetchedAt,
      isRunning: () => !stopping && payload.isRunning(),
      isStale: () => lane.epoch !== epoch,
      heartbeat: payload.heartbeat,
      async commit(offset) {
        if (lane.epoch !== epoch) return;
        lane.uncommittedFrom = offset;
        offsets.commit(topic, partition, offset);
      },
    };
  }

  const run: PipelinedRun = {
    async drain() {
      stopping = true;
      clearTimeout(retryTimer);
      for (const lane of lanes.values()) lane.queue.length = 0;
      // Nothing fetched now would be handled: stop fetching while the chunks in hand finish.
      const topics = [...new Set([...lanes.values()].map((lane) => lane.topic))];
      if (topics.length > 0) consumer.pause(topics.map((topic) => ({ topic })));
      while (active > 0) await new Promise<void>((wake) => waiting.push(wake));
      await offsets.flush();
    },
    seek,
    pause(topics) {
      for (const topic of topics) pausedTopics.add(topic);
      consumer.pause(topics.map((topic) => ({ topic })));
    },
    resume(topics) {
      for (const topic of topics) pausedTopics.delete(topic);
      consumer.resume(topics.map((topic) => ({ topic })));
      // Resuming a topic resumes all its partitions: the full lanes pause theirs again.
      for (const lane of lanes.values()) {
        if (topics.includes(lane.topic) && lane.pausedForBackpressure) consumer.pause([{ topic: lane.topic, partitions: [lane.partition] }]);
      }
      dispatch();
    },
    forgetQueued,
  };
  return { eachBatch, run };
}

/** Consecutive batches of one partition and epoch as one: the first's handles, every message in order. */
function joined(batches: PartitionBatch[]): PartitionBatch {
  const [first] = batches as [PartitionBatch, ...PartitionBatch[]];
  return batches.length === 1 ? first : { ...first, messages: batches.flatMap((b) => b.messages) };
}

