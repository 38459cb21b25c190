import type { Logger } from 'kafkajs';
import { membershipLost } from './offsetCommit.ts';

interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Offset commits off the handlers' path: `commit` records the newest offset of a partition and
 * returns; one request at a time carries every partition's newest offset since the last. A lost
 * membership drops what was pending (`onMembershipLost`: the rejoin reads from what the group has
 * committed, and the dedup tables absorb what is handled twice); any other failure keeps the
 * offsets for the next try, a second later, unless `flush` is the last try.
 */
export function coalescedCommits(send: (offsets: TopicPartitionOffset[]) => Promise<void>, onMembershipLost: (error: Error) => void, logger: Logger) {
  const pending = new Map<string, TopicPartitionOffset>();
  let inFlight: Promise<void> | undefined;
  let lastTry = false;

  const sendPending = async (): Promise<void> => {
    while (pending.size > 0) {
      const offsets = [...pending.values()];
      pending.clear();
      try {
        await send(offsets);
      } catch (error) {
        const lost = membershipLost(error);
        if (lost) return onMembershipLost(lost);
        logger.warn('Offset commit failed; trying again', { error: (error as Error).message, lastTry });
        if (lastTry) return;
        // Newer offsets recorded meanwhile win over the ones that failed.
        for (const o of offsets) if (!pending.has(`${o.topic}|${o.partition}`)) pending.set(`${o.topic}|${o.partition}`, o);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  };
  const start = () => {
    inFlight ??= sendPending().finally(() => (inFlight = undefined));
    return inFlight;
  };
  return {
    commit(topic: string, partition: number, offset: string) {
      pending.set(`${topic}|${partition}`, { topic, partition, offset });
      void start();
    },
    /**
     * Drops what is pending: the membership it was recorded in is over, and a commit sent in the
     * next one could move back the offset of a partition another member owns now.
     */
    forget() {
      pending.clear();
    },
    /** Sends what is pending, once more if it fails; what is still uncommitted is read again by the next owner. */
    async flush() {
      lastTry = true;
      while (inFlight || pending.size > 0) await start();
    },
  };
}
