const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `send(i)` for i = 0 … total − 1, each on its own slot at `rate` per second, without waiting
 * for the sends before it (a late send does not delay the next slot), then waits for all of them.
 */
export async function sendAtRate(rate: number, total: number, send: (i: number) => Promise<unknown>): Promise<void> {
  const sends: Promise<unknown>[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    sends.push(send(i));
  }
  await Promise.all(sends);
}
