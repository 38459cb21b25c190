import type { TransportConsumer } from './transport.ts';

/** Why a consumer can no longer make progress on its own. */
export type StuckReason = 'crashed-for-good' | 'fetches-unanswered';

export interface StallWatchdog {
  /** Wraps the handling of a chunk: a slow chunk is work, not a stall. */
  working<R>(work: () => Promise<R>): Promise<R>;
  stop(): void;
}

/**
 * Watches a consumer for the two ways kafkajs can leave a process alive but consuming nothing:
 * a crash nobody will restart it from, and, after connection resets, fetches that never get an
 * answer (seen in the fault suite's network fault; kafkajs#1163, #659, #1317). A healthy
 * consumer completes a fetch at least every `maxWaitTimeInMs`, so `stallMs` without one, while
 * no chunk is being handled and the member is in its group, means it is stuck. `onStuck` decides
 * what to do; the CLI's long-running commands exit, so their supervisor starts a fresh process.
 * A broker that is away is waiting, not a stall: the clock starts again once it is back.
 */
export function watchForStall(
  consumer: Pick<TransportConsumer, 'on' | 'brokerUnreachable'>,
  stallMs: number,
  onStuck: (reason: StuckReason, detail: string) => void,
): StallWatchdog {
  let lastProgress = Date.now();
  let chunksInFlight = 0;
  // Joining the group (the first time, in a rebalance, after a restart kafkajs is retrying) is
  // waiting on the broker, not a stall: a broker that is away is kafkajs's to retry.
  let joining = true;
  const progressed = () => void (lastProgress = Date.now());
  const listeners = [
    consumer.on('fetch', progressed),
    consumer.on('rebalancing', () => void (joining = true)),
    consumer.on('group-join', () => {
      joining = false;
      progressed();
    }),
    // A crash the client or the transport restarts from (a broker away) is a wait for the next join.
    consumer.on('crash', ({ error, restart }) => {
      if (restart) joining = true;
      else onStuck('crashed-for-good', `the consumer crashed and will not be restarted: ${error.message}`);
    }),
  ];
  const timer = setInterval(() => {
    // kafkajs retries a refused connection quietly for half a minute and more, with no event at all.
    if (consumer.brokerUnreachable()) progressed();
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
