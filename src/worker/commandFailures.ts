import { StreamfoldError } from '../core/index.ts';

/**
 * Why a chunk's transaction failed: the world (a lost connection, a serialization failure, a
 * restarting server), which a retry of the same chunk can outlive, or one command's own data,
 * which fails the same way every time and must be taken out so the rest can commit.
 */

export const workerErrorCodes = ['DECISION_FAILED'] as const;
export type WorkerErrorCode = (typeof workerErrorCodes)[number];

/** A decider threw something other than CommandInvalid, or emitted an event its schema refuses. */
export class DecisionFailed extends StreamfoldError<WorkerErrorCode> {
  override name = 'DecisionFailed';
  constructor(message: string, options?: { cause?: unknown }) {
    super('DECISION_FAILED', message, false, options);
  }
}

/**
 * SQLSTATE classes a single message's values can cause: 22 (data exception: a bad uuid, text
 * Postgres cannot store, a value too long), 23 (integrity: the unique violations that mean a
 * concurrent writer are mapped before this is asked) and 54000 (a value past a program limit).
 * Class 08 (connection), 40 (serialization, deadlock), 53 (resources) and 57 (operator
 * intervention) are the world's.
 */
export function isCausedByOneCommand(error: unknown): boolean {
  if (error instanceof DecisionFailed) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return false;
  return code.startsWith('22') || code.startsWith('23') || code === '54000';
}

/** The reason a command that failed on its data is archived with. */
export function failureReason(error: unknown): string {
  const { message, code } = error as { message?: string; code?: string };
  const reason = `the command failed on its own data: ${message ?? String(error)}${code && !(error instanceof DecisionFailed) ? ` (SQLSTATE ${code})` : ''}`;
  return reason.length > 1000 ? `${reason.slice(0, 997)}...` : reason;
}
