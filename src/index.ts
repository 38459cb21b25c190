// The public API: what a team's streamfold.config.ts, domains and tests import from 'streamfold'.
export * from './core/index.ts';
export { defineConfig, loadConfig, resolveConfig, type StreamfoldConfig, type StreamfoldConfigInput } from './config/streamfoldConfig.ts';
export { readSettings, type Settings } from './config/settings.ts';
export { openRuntime, type Runtime } from './runtime.ts';
export type { Transport, TransportAdmin, TransportConsumer, TransportProducer, TransportMessage, OutgoingMessage, TopicMessages } from './messaging/transport.ts';
export type { FaultHooks, FaultPoint } from './faults.ts';
export { prepareAll, migrateEventLog, applyTopicFiles, registerSchemaFiles } from './setup.ts';
export { createCommandSender, buildCommand, type CommandInput, type CommandSender } from './client/commandSender.ts';
export { waitForOutcome, type Outcome } from './client/waitForOutcome.ts';
export { waitForProjection } from './client/waitForProjection.ts';
export { checkSchemas, registerWithUpcasters } from './schemaCheck.ts';
export { startAggregateWorker, aggregateGroupOf, type RunningWorker } from './worker/aggregateWorker.ts';
export { startProjector, setupProjection, type RunningProjector } from './projection/projector.ts';
export { projectorNameOf, projectionGroupOf, schemaOf, stableSchemaOf } from './projection/names.ts';
export { listVersions, type ProjectionVersion, type VersionStatus } from './projection/versions.ts';
export { verifyVersion, type Verification } from './projection/verify.ts';
export { cutover, cutoverDefaults } from './projection/cutover.ts';
export { retireVersion } from './projection/retire.ts';
export { replayFromEventLog } from './projection/replayFromEventLog.ts';
export { rebuildReadDatabase } from './projection/rebuild.ts';
export { ProjectionVersionError, isProjectionVersionError } from './projection/errors.ts';
export { defineRevisionsProjection, isRevisionsProjection, listRevisions, type RevisionsOptions, type RevisionsProjection } from './projection/revisions.ts';
export { diffContent, type Revision, type FieldChange } from './projection/revisionHistory.ts';
export { startReactor, reactionUuid } from './reactor/reactorRunner.ts';
export { pipelineStatus } from './operate/status.ts';
export { waitForQuiescence } from './operate/quiescence.ts';
export { readStream, readAllEvents, readEventsCausedBy, findStreamsByEventData, type EventDataMatch } from './eventlog/index.ts';
export { deciderSpecification } from './testing/deciderSpecification.ts';
export { projectionSpecification, recordedEvents, testPipeline, type SpecEvent, type ExpectedRows, type TestPipeline, type TestPipelineOptions, type WhenResult, type ExpectedEvent } from './testing/index.ts';
export { createGateway, type Gateway } from './serve.ts';
export { type GatewayOptions } from './gateway/context.ts';
export { pipelineRegistry, workerChunkHandled, projectorChunkApplied, messageDeadLettered } from './metrics/index.ts';
export { InvalidMessage, PoisonMessage, MessagingError } from './messaging/errors.ts';
export { ERASED, type PersonalFields } from './messaging/personalData.ts';
// Errors: every one is a StreamfoldError (core) with a code of this union and `retriable`.
export { type StreamfoldErrorCode } from './errors.ts';
export { EventLogError, CommandAlreadyProcessed, isCommandAlreadyProcessed } from './eventlog/index.ts';

// Plain-text rendering of events and rows, as the CLI prints them: for a team's own scripts (the demo's).
export { formatEvent, formatTable } from './cli/format.ts';
