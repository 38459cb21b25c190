import { Counter, Histogram } from 'prom-client';
import { pipelineRegistry } from './pipelineMetrics.ts';

const commandsReceived = new Counter({
  name: 'streamfold_gateway_commands_total',
  help: 'Commands posted to the HTTP gateway: accepted (produced, 202), invalid (400) or unavailable (Kafka did not take it, 503).',
  labelNames: ['command_type', 'result'] as const,
  registers: [pipelineRegistry],
});

const requests = new Counter({
  name: 'streamfold_http_requests_total',
  help: 'HTTP requests the gateway answered, by route pattern and status.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [pipelineRegistry],
});

const requestDuration = new Histogram({
  name: 'streamfold_http_request_duration_seconds',
  help: 'Time the gateway took to answer, by route pattern.',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [pipelineRegistry],
});

export type GatewayCommandResult = 'accepted' | 'invalid' | 'unavailable';

/** `commandType` must be a type the config knows (or 'unknown'): a client must not mint series. */
export function gatewayCommandCounted(commandType: string, result: GatewayCommandResult): void {
  commandsReceived.inc({ command_type: commandType, result });
}

/** `route` is the matched pattern (/streams/:aggregateUuid), never the raw path. */
export function requestAnswered(method: string, route: string, status: number, seconds: number): void {
  requests.inc({ method, route, status: String(status) });
  requestDuration.observe({ method, route }, seconds);
}
