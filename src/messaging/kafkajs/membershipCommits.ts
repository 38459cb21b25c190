import type { Logger } from 'kafkajs';
import { coalescedCommits } from './coalescedCommits.ts';

type TopicPartitionOffset = { topic: string; partition: number; offset: string };

/**
 * A consumer's offset commits off its handlers' path (coalescedCommits), kept to the group
 * membership they were made in. Both consume loops commit this way: a handler's commit records the
 * offset and returns, and one request at a time carries every partition's newest.
 *
 * A membership ends with each join, rebalance and crash the consumer reports (`membershipEnded`):
 * what was pending is dropped, since the next membership reads from what the group has committed
 * and the dedup tables absorb the overlap. A commit that finds this member out of its group makes
 * the runner rejoin, on the next batch of the same membership (`rejoinIfLost`). A commit sent while
 * a rejoin was under way is answered after it, refused with the member id of before; rejoining on
 * that would drop the member id the group just gave (kafkajs does on UNKNOWN_MEMBER_ID), leave the
 * old one behind until its session expires, and do the same again on the next such commit: a
 * rebalance every session timeout, for good (docs/reliability.md, finding 19). So a refusal of an
 * earlier membership's commit is let go, neither retried nor a cause to rejoin.
 */
export function membershipCommits(options: {
  /** Commits offsets; rejects with the protocol error when this member lost its place in the group. */
  readonly commitOffsets: (offsets: TopicPartitionOffset[]) => Promise<void>;
  readonly logger: Logger;
  /** This member lost its place: what it fetched for that membership is out of date. */
  readonly onMembershipLost?: () => void;
}) {
  const { logger } = options;
  let membership = 0;
  let rejoinWith: { error: Error; membership: number } | undefined;

  const commitInMembership = async (offsets: TopicPartitionOffset[]) => {
    const sentIn = membership;
    try {
      await options.commitOffsets(offsets);
    } catch (error) {
      if (membership !== sentIn) return logger.info('Offset commit of an earlier group membership dropped', { error: (error as Error).message });
      throw error;
    }
  };
  const pending = coalescedCommits(
    commitInMembership,
    (error) => {
      options.onMembershipLost?.();
      pending.forget();
      rejoinWith = { error, membership };
    },
    logger,
  );

  return {
    /** Records `offset` (the next one to read) as this partition's to commit; it goes out with the next request. */
    commit: pending.commit,
    /** Sends what is pending, once more if it fails: for a consumer that stops. */
    flush: pending.flush,
    /** The group moved partitions, was joined again or the consumer crashed. */
    membershipEnded(): void {
      membership++;
      pending.forget();
    },
    /** Throws the protocol error of a commit refused because this membership is over, so that the runner rejoins. */
    rejoinIfLost(): void {
      if (!rejoinWith) return;
      const { error, membership: lostIn } = rejoinWith;
      rejoinWith = undefined;
      // The group has been joined since: the membership that was lost is gone already.
      if (lostIn === membership) throw error;
    },
  };
}
