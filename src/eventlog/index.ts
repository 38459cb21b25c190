export { createPool, type Pool, type PoolClient } from './pool.ts';
export { migrate } from './migrate.ts';
export { inTransaction, inSavepoint } from './transaction.ts';
export { appendToStream, type NewEvent, type AppendContext } from './appendToStream.ts';
export { readStream, readEventsCausedBy, readAllEvents } from './readStream.ts';
export { claimCommand, recordOutcome, archiveInvalidCommand, findProcessedCommand, type ProcessedCommand } from './processedCommands.ts';
export { markProjected } from './projectedEvents.ts';
export { findProcessedUuids, readEventsCausedByMany, appendAndArchive, CommandAlreadyProcessed, type DecidedCommand } from './commandBatch.ts';
export { readSnapshotsAndTails, saveSnapshots, type Snapshot } from './snapshots.ts';
