/**
 * A CLI argument or option that is wrong: the user's input, not a fault of streamfold. main.ts
 * prints its message on one line and exits 2, with no stack trace.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const isUsageError = (e: unknown): e is UsageError => e instanceof UsageError;
