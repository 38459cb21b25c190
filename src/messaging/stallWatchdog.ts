import type { Consumer } from 'kafkajs';

/** Why a consumer can no longer make progress on its own. */
export type StuckReason = 'crashed-for-good' | 'fetches-unanswered';

export interface StallWatchdog {
  /** Wraps the handling of a chunk: a slow chunk is work, not a stall. */
  working<R>(work: () => Promise<R>): Promise<R>;
  stop(): void;
}

/** What counts as waiting on the broker rather than a stall; nothing, unless told. */
export interface BrokerWaits {
  /** Crashes someone else restarts (runBatches restarts those of a broker that is away). */
  readonly restartedElsewhere?: (error: Error) => boolean;
  /** True while the broker cannot be reached at all: kafkajs is retrying its connection. */
  readonly brokerUnreachable?: () => boolean;
}

/**
 * Watches a consumer for the two ways kafkajs can leave a process alive but consuming nothing:
 * a crash it will not restart from, and, after connection resets, fetches that never get an
 * answer (seen in the fault suite's network fault; kafkajs#1163, #659, #1317). A healthy
 * consumer completes a fetch at least every `maxWaitTimeInMs`, so `stallMs` without one, while
 * no chunk is being handled and the member is in its group, means it is stuck. `onStuck` decides
 * what to do; the CLI's long-running commands exit, so their supervisor starts a fresh process.
 * A broker that is away (`waits`) is waiting, not a stall: the clock starts again once it is back.
 */
export function watchForStall(consumer: Consumer, stallMs: number, onStuck: (reason: StuckReason, detail: string) => void, waits: BrokerWaits = {}): StallWatchdog {
  let lastProgress = Date.now();
  let chunksInFlight = 0;
  // Joining the group (the first time, in a rebalance, after a restart kafkajs is retrying) is
  // waiting on the broker, not a stall: a broker that is away is kafkajs's to retry.
  let joining = true;
  const progressed = () => void (lastProgress = Date.now());
  const listeners = [
    consumer.on(consumer.events.FETCH, progressed),
    consumer.on(consumer.events.REBALANCING, () => void (joining = true)),
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joining = false;
      progressed();
    }),
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || waits.restartedElsewhere?.(payload.error)) joining = true;
      else onStuck('crashed-for-good', `the consumer crashed and kafkajs will not restart it: ${payload.error.message}`);
    }),
  ];
  const timer = setInterval(() => {
    // kafkajs retries a refused connection quietly for half a minute and more, with no event at all.
    if (waits.brokerUnreachable?.()) progressed();
    const quietMs = Date.now() - lastProgress;
    if (chunksInFlight === 0 && !joining && quietMs > stallMs) {
      onStuck('fetches-unanswered', `no fetch answered for ${Math.round(quietMs / 1000)} s with no chunk in hand`);
      progressed();
    }
  }, 1000);
  timer.unref();
  return {
    async working(work) {
      chunksInFlight++;
      try {
        return await work();
      } finally {
        chunksInFlight--;
        progressed();
      }
    },
    stop() {
      clearInterval(timer);
      for (const remove of listeners) remove();
    },
  };
}
