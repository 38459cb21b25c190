import { percentile } from './stats.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The clocked part of a one-hop latency measure, whatever the client: once the `warmUp` messages
 * the caller sent have arrived (the group joined, every partition fetched), `send` is called
 * `rate × seconds` times at a steady pace, and the latencies the consumer pushed for them are read.
 */
export async function pacedHop(latencies: number[], send: () => Promise<unknown>, rate: number, seconds: number, warmUp = 60): Promise<{ p50Ms: number; p99Ms: number }> {
  while (latencies.length < warmUp) await sleep(50);
  latencies.length = 0;
  const total = rate * seconds;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    await send();
  }
  while (latencies.length < total) await sleep(50);
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}
