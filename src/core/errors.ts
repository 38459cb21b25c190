export const coreErrorCodes = ['COMMAND_INVALID', 'VERSION_CONFLICT', 'UNKNOWN_TYPE', 'CONFIGURATION'] as const;
export type CoreErrorCode = (typeof coreErrorCodes)[number];

export class StreamfoldError extends Error {
  override name = 'StreamfoldError';
  constructor(
    readonly code: CoreErrorCode,
    message: string,
    readonly retriable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A command that cannot be decided at all (not a business refusal): recorded with outcome `invalid`. */
export class CommandInvalid extends StreamfoldError {
  override name = 'CommandInvalid';
  constructor(readonly reasons: readonly string[]) {
    super('COMMAND_INVALID', reasons.join('; '));
  }
}

/** Another writer appended to the stream first; reload and decide again. */
export class VersionConflict extends StreamfoldError {
  override name = 'VersionConflict';
  constructor(
    readonly aggregateUuid: string,
    readonly expectedVersion: bigint,
    options?: { cause?: unknown },
  ) {
    super('VERSION_CONFLICT', `stream ${aggregateUuid} moved past version ${expectedVersion}`, true, options);
  }
}

export const isCommandInvalid = (e: unknown): e is CommandInvalid => e instanceof CommandInvalid;
export const isVersionConflict = (e: unknown): e is VersionConflict => e instanceof VersionConflict;
