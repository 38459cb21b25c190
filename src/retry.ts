/** The one place retry timing lives: exponential backoff with jitter. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
}

export const retryDefaults: RetryPolicy = { attempts: 4, initialMs: 100, factor: 3, maxMs: 3_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetries<T>(work: () => Promise<T>, options: RetryPolicy = retryDefaults): Promise<T> {
  let delay: number = options.initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= options.attempts) throw error;
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(delay * options.factor, options.maxMs);
    }
  }
}
