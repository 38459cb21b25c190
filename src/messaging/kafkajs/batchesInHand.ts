/**
 * The batches kafkajs's runner has handed over and the handler has not finished, so that a
 * consumer can stop between them. kafkajs's own stop marks the runner stopped first and waits for
 * the batches in hand after, and a stopped runner drops offset commits without a word
 * (`runner.commitOffsets` returns when not running): the chunk in flight when a consumer
 * disconnected was handled, its Postgres commit made, and its offset left uncommitted for the
 * next owner to read again. Here `stop` lets the handler know (`stopping`: it stops after the chunk
 * in flight), waits for the batches in hand, whose commits go out while the runner still runs, and
 * only then is the runner stopped.
 */
export function batchesInHand() {
  let inHand = 0;
  let stopping = false;
  const waitingForNone: (() => void)[] = [];
  return {
    stopping: () => stopping,
    /** Handles a batch the runner handed over; once stopping, a new one is left for the next owner. */
    async handle(work: () => Promise<void>): Promise<void> {
      if (stopping) return;
      inHand++;
      try {
        await work();
      } finally {
        inHand--;
        if (inHand === 0) for (const wake of waitingForNone.splice(0)) wake();
      }
    },
    /** Starts stopping, and resolves once no batch is in hand. */
    async stop(): Promise<void> {
      stopping = true;
      while (inHand > 0) await new Promise<void>((wake) => waitingForNone.push(wake));
    },
  };
}
