import type { Consumer } from '@platformatic/kafka';
import type { Logger } from '../../logger.ts';
// The kafkajs consumer's restart wait: a join that fails is tried again as a crashed consumer is.
import { restartWaitMs } from '../kafkajs/brokerAway.ts';
import { membershipLostTypes } from '../kafkajs/offsetCommit.ts';
import { protocolErrorsIn } from './errors.ts';

export interface Membership {
  /** A commit sent in the membership that is still current was refused: join again if it was for the membership. */
  commitRefused(error: unknown): void;
  stop(): void;
}

/**
 * Keeps a @platformatic/kafka 1.22 consumer in its group. 1.22 stops heartbeating for good after a
 * heartbeat fails for any reason but a rejoin (a broker restarting: the socket closed), and after a
 * rejoin that fails. The member is then evicted when its session times out, while its stream goes on
 * fetching the partitions it had and every commit of theirs is refused: they never move again (the
 * fault matrix's 4a, docs/reliability.md finding 20). So a failed heartbeat, a failed rejoin
 * or a commit refused for the membership makes the member join again here, and a join that fails is
 * tried again after the consumer's restart wait, until one succeeds. A join while the client's own
 * rejoin is under way joins the same request (the client deduplicates them).
 */
export function keepingMembership(consumer: Consumer<Buffer, Buffer, Buffer, Buffer>, groupId: string, logger: Logger): Membership {
  let joining = false;
  let stopped = false;
  let failuresInARow = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  const join = (why: string, error: unknown) => {
    if (stopped || joining || retryTimer) return;
    joining = true;
    logger.warn('the consumer is out of its group; joining again', { groupId, why, error: (error as Error | undefined)?.message, brokerErrors: protocolErrorsIn(error) });
    consumer.joinGroup({}).then(
      () => {
        joining = false;
        failuresInARow = 0;
      },
      (failure: unknown) => {
        joining = false;
        if (stopped) return;
        retryTimer = setTimeout(() => {
          retryTimer = undefined;
          join('the last join failed', failure);
        }, restartWaitMs(failuresInARow++));
      },
    );
  };

  consumer.on('consumer:heartbeat:error', ({ error }: { error: unknown }) => join('a heartbeat failed, and 1.22 sends no more', error));
  // Emitted when the client's own rejoin failed; with no listener it would throw.
  consumer.on('error', (error: unknown) => join('the client could not join again', error));

  return {
    commitRefused(error) {
      if (protocolErrorsIn(error).some((name) => membershipLostTypes.has(name))) join('an offset commit was refused for the membership', error);
    },
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
    },
  };
}
