/**
 * The one place retry timing lives: exponential backoff with jitter. Used by a projection
 * handler's retries, by a decode waiting for the registry, and by schema registration.
 */
export interface RetryPolicy {
  /** Tries in all, the first included; `Infinity` keeps trying while `retryIf` says so. */
  readonly attempts: number;
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
}

export interface RetryOptions {
  /** Whether this failure is worth another try; the default retries every failure. */
  readonly retryIf?: (error: unknown) => boolean;
  /** Told before each wait, with how long it will be. */
  readonly onRetry?: (error: unknown, waitMs: number) => void;
}

export const retryDefaults: RetryPolicy = { attempts: 4, initialMs: 100, factor: 3, maxMs: 3_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetries<T>(work: () => Promise<T>, policy: RetryPolicy = retryDefaults, options: RetryOptions = {}): Promise<T> {
  let delay: number = policy.initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= policy.attempts || (options.retryIf && !options.retryIf(error))) throw error;
      // Jitter spreads the retries of processes that failed together (a registry restart).
      const waitMs = Math.round(delay * (0.5 + Math.random()));
      options.onRetry?.(error, waitMs);
      await sleep(waitMs);
      delay = Math.min(delay * policy.factor, policy.maxMs);
    }
  }
}
