import { StreamfoldError } from '../core/index.ts';

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

/** Refusals that waiting can lift: a version catching up, a group whose members are leaving. */
const waitingHelps: ReadonlySet<ProjectionVersionErrorCode> = new Set(['LAGGING', 'BEHIND_LIVE', 'GROUP_ACTIVE']);

/** A refused replay, verify, cutover, retire or rebuild: the message says why and what to run. */
export class ProjectionVersionError extends StreamfoldError<ProjectionVersionErrorCode> {
  override name = 'ProjectionVersionError';
  constructor(code: ProjectionVersionErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, waitingHelps.has(code), options);
  }
}

export const isProjectionVersionError = (error: unknown): error is ProjectionVersionError => error instanceof ProjectionVersionError;
