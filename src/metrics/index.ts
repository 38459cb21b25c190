export { pipelineRegistry, workerChunkHandled, projectorChunkApplied, reactorChunkHandled, messageDeadLettered, type ChunkSeconds } from './pipelineMetrics.ts';
export { watchConsumer } from './consumerMetrics.ts';
export { gatewayCommandCounted, requestAnswered, type GatewayCommandResult } from './gatewayMetrics.ts';
export { registerPipelineGauges, type PipelineSnapshot } from './pipelineGauges.ts';
