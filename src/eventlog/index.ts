/**
 * The event log's Postgres adapter: every query on its tables lives here, one file per operation
 * or table. It owns `events`, `processed_commands`, `snapshots`, `projected_events`,
 * `projection_failures` and `projection_offsets` (and `schema_migrations`). Its migrations also
 * create `projection_versions`, which src/projection queries: the bookkeeping of projection
 * versions in the read database, as each projection's own `<name>_v<N>` schema is.
 */
export { createPool, type Pool, type PoolClient } from './pool.ts';
export { migrate } from './migrate.ts';
export { inTransaction, inSavepoint, onOneClient } from './transaction.ts';
export { appendToStream, eventMetadataOf, type NewEvent, type AppendContext } from './appendToStream.ts';
export { versionConflictOf } from './versionConflict.ts';
export { readStream, streamExists, readEventsCausedBy, readAllEvents } from './readStream.ts';
export { readEventsByUuid, readRecordedTimes } from './readEventsByUuid.ts';
export { readLogHead, readEventsAfter, readRecentEvents } from './logHead.ts';
export { openLogTail, type LogTail } from './logTail.ts';
export { eventLogExists, countEvents, countEventsOlderThan, countEventsByWriterSchema } from './eventCounts.ts';
export { readEventsOfCorrelation, readCommandsOfCorrelation, correlationExists } from './correlation.ts';
export {
  claimCommand,
  recordOutcome,
  archiveInvalidCommand,
  findProcessedCommand,
  countCommandsByOutcome,
  type ProcessedCommand,
} from './processedCommands.ts';
export { markProjected, markNewlyProjected, readProjectedEventUuids, countProjected, readLastProjected, forgetProjected } from './projectedEvents.ts';
export { recordAppliedOffset, forgetAppliedOffsets, appliedOffsets, type AppliedOffset } from './projectionOffsets.ts';
export {
  recordFailure,
  listFailures,
  isHalted,
  resumeProjector,
  skipHaltedEvent,
  resolveParkedFailure,
  readLeftOutEventUuids,
  skipsToFollow,
  recordFollowedSkip,
  failureNotes,
  listSkips,
  carrySkips,
  followedSkipPrefix,
  type FailureRow,
  type SkipToFollow,
} from './projectionFailures.ts';
export { findProcessedUuids, readEventsCausedByMany, appendAndArchive, type DecidedCommand } from './commandBatch.ts';
export { EventLogError, CommandAlreadyProcessed, isCommandAlreadyProcessed, eventLogErrorCodes, type EventLogErrorCode } from './errors.ts';
export { readSnapshotsAndTails, saveSnapshots, type Snapshot } from './snapshots.ts';
export { findStreamsByEventData, type EventDataMatch } from './streamsByEventData.ts';
export { keysFor, forgetSubject, unsealMessages, unsealEvents, type Forgotten, type PersonalFieldsOf } from './subjectKeys.ts';
