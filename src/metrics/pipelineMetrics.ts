import { Counter, Histogram, Registry } from 'prom-client';
import type { RecordedEvent } from '../core/index.ts';

/**
 * What the pipeline's parts count in this process. Workers, projectors and reactors call the
 * functions below; whatever serves /metrics in the same process (`streamfold serve`, the demo)
 * exposes them. Label values come from the config (types, topics, projection names), never from
 * request input, so the number of series stays bounded.
 */
export const pipelineRegistry = new Registry();

const commandsHandled = new Counter({
  name: 'streamfold_commands_handled_total',
  help: 'Commands an aggregate worker in this process decided, by outcome (accepted, rejected, invalid, duplicate).',
  labelNames: ['command_type', 'outcome'] as const,
  registers: [pipelineRegistry],
});

const eventsAppended = new Counter({
  name: 'streamfold_events_appended_total',
  help: 'Events this process appended to the Postgres event log.',
  labelNames: ['aggregate_type', 'event_type'] as const,
  registers: [pipelineRegistry],
});

const eventsPublished = new Counter({
  name: 'streamfold_events_published_total',
  help: 'Events this process produced to Kafka event topics (re-publications of duplicates included).',
  labelNames: ['topic'] as const,
  registers: [pipelineRegistry],
});

const batchDuration = new Histogram({
  name: 'streamfold_batch_duration_seconds',
  help: 'Time to handle one chunk of a Kafka batch: the Postgres transaction and any produce.',
  labelNames: ['role', 'name'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [pipelineRegistry],
});

const deadLettered = new Counter({
  name: 'streamfold_dead_lettered_total',
  help: 'Messages this process sent to a dead-letter topic, by the topic they were read from.',
  labelNames: ['topic'] as const,
  registers: [pipelineRegistry],
});

const projectedEvents = new Counter({
  name: 'streamfold_projected_events_total',
  help: 'Events a projector in this process read, by projector (name_vN).',
  labelNames: ['projector'] as const,
  registers: [pipelineRegistry],
});

interface HandledCommand {
  readonly command: { readonly commandType: string };
}
interface CommandResultLike {
  readonly outcome: 'accepted' | 'rejected' | 'invalid' | 'duplicate';
  readonly events: readonly RecordedEvent[];
}

/**
 * The aggregate worker's hook: one call per chunk, after the produce. `results[i]` is the
 * outcome of `items[i]`; a duplicate's events were appended the first time, so they count as
 * published again but not as appended.
 */
export function workerChunkHandled(
  items: readonly HandledCommand[],
  results: readonly CommandResultLike[],
  published: readonly { topic: string; messages: readonly unknown[] }[],
  seconds: number,
): void {
  results.forEach((result, i) => {
    const commandType = items[i]?.command.commandType ?? 'unknown';
    commandsHandled.inc({ command_type: commandType, outcome: result.outcome });
    if (result.outcome === 'duplicate') return;
    for (const event of result.events) eventsAppended.inc({ aggregate_type: event.aggregateType, event_type: event.eventType });
  });
  for (const { topic, messages } of published) eventsPublished.inc({ topic }, messages.length);
  batchDuration.observe({ role: 'worker', name: 'aggregates' }, seconds);
}

/** A projector's hook: one call per applied chunk. */
export function projectorChunkApplied(projector: string, events: number, seconds: number): void {
  projectedEvents.inc({ projector }, events);
  batchDuration.observe({ role: 'projector', name: projector }, seconds);
}

/** Any consumer's hook when it dead-letters a message read from `topic`. */
export function messageDeadLettered(topic: string): void {
  deadLettered.inc({ topic });
}
