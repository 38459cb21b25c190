export const coreErrorCodes = ['COMMAND_INVALID', 'VERSION_CONFLICT', 'UNKNOWN_TYPE', 'CONFIGURATION'] as const;
export type CoreErrorCode = (typeof coreErrorCodes)[number];

/**
 * The base of every error streamfold throws. `code` comes from its layer's `as const` list (the
 * union of them all is `StreamfoldErrorCode` in the package's root); `retriable` says whether the
 * same call may succeed later (the world: a conflict, a lag, a server away) or never will (the input).
 */
export class StreamfoldError<Code extends string = string> extends Error {
  override name = 'StreamfoldError';
  constructor(
    readonly code: Code,
    message: string,
    readonly retriable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isStreamfoldError = (e: unknown): e is StreamfoldError => e instanceof StreamfoldError;

/** A command that cannot be decided at all (not a business refusal): recorded with outcome `invalid`. */
export class CommandInvalid extends StreamfoldError<CoreErrorCode> {
  override name = 'CommandInvalid';
  constructor(readonly reasons: readonly string[]) {
    super('COMMAND_INVALID', reasons.join('; '));
  }
}

/** Another writer appended to the stream first; reload and decide again. */
export class VersionConflict extends StreamfoldError<CoreErrorCode> {
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
