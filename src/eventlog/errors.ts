import { StreamfoldError } from '../core/index.ts';

export const eventLogErrorCodes = ['COMMAND_ALREADY_PROCESSED', 'MIGRATION_FAILED', 'POSTGRES_UNREACHABLE', 'BAD_ARGUMENT'] as const;
export type EventLogErrorCode = (typeof eventLogErrorCodes)[number];

/** The event log refused or failed a write: the message names what and what to do. */
export class EventLogError extends StreamfoldError<EventLogErrorCode> {
  override name = 'EventLogError';
}

/** A concurrent writer processed one of these commands first: redo the chunk one by one. */
export class CommandAlreadyProcessed extends EventLogError {
  override name = 'CommandAlreadyProcessed';
  constructor(message: string, options?: { cause?: unknown }) {
    super('COMMAND_ALREADY_PROCESSED', message, true, options);
  }
}

export const isCommandAlreadyProcessed = (e: unknown): e is CommandAlreadyProcessed => e instanceof CommandAlreadyProcessed;
