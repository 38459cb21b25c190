import type { Consumer, EachBatchPayload, Logger } from 'kafkajs';
import type { PartitionBatch, RunOptions } from '../transport.ts';
import { membershipCommits } from './membershipCommits.ts';
import { commitOffsets } from './offsetCommit.ts';
import { toMessage } from './toMessage.ts';

/**
 * kafkajs's own runner (the `sequential` consume loop): it fetches again once every batch of its
 * last fetch is handled. Offsets are committed off the handlers' path (issue 15): a batch's commit
 * records its offset, after the handler's Postgres commit, and moves the partition's next fetch on;
 * one request at a time carries the newest offset of every partition that committed meanwhile
 * (membershipCommits). A chunk no longer waits for its offset commit's round trip, and partitions
 * handled at once share one request.
 *
 * What an offset still uncommitted when the process dies costs: its partition's next owner reads
 * that chunk again and the dedup tables absorb it, as for a process killed between its Postgres
 * commit and its offset commit before. A consumer that stops sends what is pending before the
 * runner leaves the group: the runner waits for the batches in hand, and each one flushes as it ends.
 */
export function sequentialRun(options: { consumer: Consumer; logger: Logger; eachBatch: RunOptions['eachBatch']; fetchedAt: () => number }) {
  const { consumer, eachBatch: handle } = options;
  let stopping = false;
  const offsets = membershipCommits({ commitOffsets: (batch) => commitOffsets(consumer, batch), logger: options.logger });

  const batchOf = (payload: EachBatchPayload): PartitionBatch => {
    const { topic, partition } = payload.batch;
    return {
      topic,
      partition,
      messages: payload.batch.messages.map(toMessage),
      fetchedAt: options.fetchedAt(),
      isRunning: payload.isRunning,
      isStale: payload.isStale,
      heartbeat: payload.heartbeat,
      async commit(offset) {
        offsets.commit(topic, partition, offset);
        // The next fetch of this partition starts at the committed offset (kafkajs resolves the offset before it).
        payload.resolveOffset((BigInt(offset) - 1n).toString());
      },
    };
  };

  return {
    async eachBatch(payload: EachBatchPayload): Promise<void> {
      offsets.rejoinIfLost();
      try {
        await handle(batchOf(payload));
      } finally {
        if (stopping) await offsets.flush();
      }
    },
    /** The group moved partitions, was joined again or the consumer crashed: what is pending speaks of the membership before. */
    membershipEnded: offsets.membershipEnded,
    /** Sends what is pending now, and makes each batch in hand send its own as it ends. */
    async stop(): Promise<void> {
      stopping = true;
      await offsets.flush();
    },
  };
}
