export const projectionVersionErrorCodes = [
  'UNKNOWN_PROJECTION',
  'UNKNOWN_VERSION',
  'BAD_ARGUMENT',
  'NOT_VERIFIED',
  'LAGGING',
  'BEHIND_LIVE',
  'LIVE_VERSION',
  'RETIRED',
  'GROUP_ACTIVE',
  'DATABASE_EXISTS',
  'UNKNOWN_ENTITY',
  'UNKNOWN_REVISION',
] as const;
export type ProjectionVersionErrorCode = (typeof projectionVersionErrorCodes)[number];

/** A refused replay, verify, cutover, retire or rebuild: the message says why and what to run. */
export class ProjectionVersionError extends Error {
  override readonly name = 'ProjectionVersionError';
  constructor(
    readonly code: ProjectionVersionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isProjectionVersionError = (error: unknown): error is ProjectionVersionError => error instanceof ProjectionVersionError;
