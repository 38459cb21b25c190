import { StreamfoldError } from '../core/index.ts';

export const stackErrorCodes = [
  'PORT_TAKEN',
  'JAVA_MISSING',
  'MAVEN_MISSING',
  'MAVEN_FAILED',
  'SERVER_DIED',
  'START_TIMEOUT',
] as const;
export type StackErrorCode = (typeof stackErrorCodes)[number];

/** A stack problem a person can fix: the message names the cause and the way out. */
export class StackError extends StreamfoldError<StackErrorCode> {
  override name = 'StackError';
  constructor(code: StackErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, false, options);
  }
}

export const isStackError = (error: unknown): error is StackError => error instanceof StackError;
