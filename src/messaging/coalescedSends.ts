interface Waiting<T> {
  readonly items: readonly T[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Sends that go out one request at a time, those made meanwhile together in the next, in the order
 * they were made. The first send of an idle sender goes at once (nothing waits for company); under
 * load, a request carries what arrived while the last was out, so a busy sender makes fewer, larger
 * requests, and per-key order holds as with one request in flight. Each produce request costs the
 * client and the broker CPU of its own whatever it carries (kafkajs about 85 µs of a send of one
 * command on this project's 2-core machine, docs/benchmarks.md), so fewer is cheaper.
 *
 * A request that fails with several sends in it, for any reason but the broker being away, is
 * split: each send goes again alone, so a send the broker refuses (a message too large, say) fails
 * on its own and its neighbours are written. What the failed request had written is then written
 * twice, which the dedup tables absorb. A broker that is away fails every send in the request: each
 * alone would wait out the same outage again.
 */
export function coalescedSends<T>(sendNow: (items: readonly T[]) => Promise<void>, isBrokerAway: (error: unknown) => boolean): (items: readonly T[]) => Promise<void> {
  let waiting: Waiting<T>[] = [];
  let sending = false;

  const sendAlone = async (one: Waiting<T>) => {
    try {
      await sendNow(one.items);
      one.resolve();
    } catch (error) {
      one.reject(error);
    }
  };

  const sendWaiting = async () => {
    sending = true;
    while (waiting.length > 0) {
      const going = waiting;
      waiting = [];
      if (going.length === 1) {
        await sendAlone(going[0] as Waiting<T>);
        continue;
      }
      try {
        await sendNow(going.flatMap((w) => w.items));
        for (const w of going) w.resolve();
      } catch (error) {
        if (isBrokerAway(error)) for (const w of going) w.reject(error);
        else for (const w of going) await sendAlone(w);
      }
    }
    sending = false;
  };

  return (items) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ items, resolve, reject });
      if (!sending) void sendWaiting();
    });
}
