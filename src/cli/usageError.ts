import { StreamfoldError } from '../core/index.ts';

export const cliErrorCodes = ['USAGE'] as const;
export type CliErrorCode = (typeof cliErrorCodes)[number];

/**
 * A CLI argument or option that is wrong: the user's input, not a fault of streamfold. main.ts
 * prints its message on one line and exits 2, with no stack trace.
 */
export class UsageError extends StreamfoldError<CliErrorCode> {
  override name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, false, options);
  }
}

export const isUsageError = (e: unknown): e is UsageError => e instanceof UsageError;
