export { pipelineRegistry, workerChunkHandled, projectorChunkApplied, messageDeadLettered } from './pipelineMetrics.ts';
export { gatewayCommandCounted, requestAnswered, type GatewayCommandResult } from './gatewayMetrics.ts';
export { registerPipelineGauges, type PipelineSnapshot } from './pipelineGauges.ts';
