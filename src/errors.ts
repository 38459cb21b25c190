import type { CoreErrorCode } from './core/errors.ts';
import type { EventLogErrorCode } from './eventlog/errors.ts';
import type { MessagingErrorCode } from './messaging/errors.ts';
import type { ProjectionVersionErrorCode } from './projection/errors.ts';
import type { WorkerErrorCode } from './worker/commandFailures.ts';
import type { CliErrorCode } from './cli/usageError.ts';
import type { StackErrorCode } from './stack/errors.ts';

/**
 * Every `code` a StreamfoldError can carry: each layer's `as const` list, unioned. The gateway's
 * HttpError is not one: it is an answer (a status, the problems, headers) made and written inside
 * the HTTP edge, never thrown to a caller of the library; UsageError is one (`USAGE`), so the CLI
 * tests one thing and exits 2 for it.
 */
export type StreamfoldErrorCode =
  | CoreErrorCode
  | EventLogErrorCode
  | MessagingErrorCode
  | ProjectionVersionErrorCode
  | WorkerErrorCode
  | CliErrorCode
  | StackErrorCode
  | 'TIMED_OUT';
