import { Counter, Histogram, Registry } from 'prom-client';
import type { RecordedEvent } from '../core/index.ts';

/**
 * What the pipeline's parts count in this process. Workers, projectors and reactors call the
 * functions below; whatever serves /metrics in the same process (`streamfold serve`, the demo,
 * `worker|project|react --metrics-port`) exposes them. Label values come from the config (types,
 * topics, projection names), never from request input, so the number of series stays bounded.
 */
export const pipelineRegistry = new Registry();

/** Seconds, from 1 ms to 10 s: a chunk, a transaction or a produce. */
const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

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

const commandsPublished = new Counter({
  name: 'streamfold_reactor_commands_total',
  help: 'Commands a reactor in this process produced in reaction to events, by reactor.',
  labelNames: ['reactor'] as const,
  registers: [pipelineRegistry],
});

const batchDuration = new Histogram({
  name: 'streamfold_batch_duration_seconds',
  help: 'Time to handle one chunk of a Kafka batch: the Postgres transaction and any produce, by role (worker, projector, reactor) and name.',
  labelNames: ['role', 'name'] as const,
  buckets: durationBuckets,
  registers: [pipelineRegistry],
});

const transactionDuration = new Histogram({
  name: 'streamfold_transaction_duration_seconds',
  help: "Time of a chunk's Postgres transaction (begin to commit, isolating a culprit included), by role and name.",
  labelNames: ['role', 'name'] as const,
  buckets: durationBuckets,
  registers: [pipelineRegistry],
});

const produceDuration = new Histogram({
  name: 'streamfold_produce_duration_seconds',
  help: "Time to produce a chunk's messages until every in-sync replica acknowledged them, by role and name.",
  labelNames: ['role', 'name'] as const,
  buckets: durationBuckets,
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
  help: 'Events a projector in this process handled in a committed chunk (applied, or already applied and skipped), by projector (name_vN).',
  labelNames: ['projector'] as const,
  registers: [pipelineRegistry],
});

/**
 * A labelled child per pair of values, made once: a chunk's hot path then increments without
 * building a label object or a series key per message.
 */
function childrenOf<T>(make: (a: string, b: string) => T): (a: string, b: string) => T {
  const byA = new Map<string, Map<string, T>>();
  return (a, b) => {
    let byB = byA.get(a);
    if (!byB) byA.set(a, (byB = new Map()));
    let child = byB.get(b);
    if (!child) byB.set(b, (child = make(a, b)));
    return child;
  };
}

const handledChild = childrenOf((commandType, outcome) => commandsHandled.labels(commandType, outcome));
const appendedChild = childrenOf((aggregateType, eventType) => eventsAppended.labels(aggregateType, eventType));
const batchChild = childrenOf((role, name) => batchDuration.labels(role, name));
const transactionChild = childrenOf((role, name) => transactionDuration.labels(role, name));
const produceChild = childrenOf((role, name) => produceDuration.labels(role, name));

interface HandledCommand {
  readonly command: { readonly commandType: string };
}
interface CommandResultLike {
  readonly outcome: 'accepted' | 'rejected' | 'invalid' | 'duplicate';
  readonly events: readonly RecordedEvent[];
}

/** Where a chunk's time went, in seconds; a chunk that produced nothing has no `produce`, a reactor's no `transaction`. */
export interface ChunkSeconds {
  readonly transaction?: number;
  readonly produce?: number;
  readonly total: number;
}

/**
 * The aggregate worker's hook: one call per chunk, after the produce. `results[i]` is the
 * outcome of `items[i]`; a duplicate's events were appended the first time, so they count as
 * published again but not as appended. A bare number is the chunk's total time.
 */
export function workerChunkHandled(
  items: readonly HandledCommand[],
  results: readonly CommandResultLike[],
  published: readonly { topic: string; messages: readonly unknown[] }[],
  timings: ChunkSeconds | number,
): void {
  results.forEach((result, i) => {
    handledChild(items[i]?.command.commandType ?? 'unknown', result.outcome).inc();
    if (result.outcome === 'duplicate') return;
    for (const event of result.events) appendedChild(event.aggregateType, event.eventType).inc();
  });
  for (const { topic, messages } of published) eventsPublished.inc({ topic }, messages.length);
  chunkTimed('worker', 'aggregates', typeof timings === 'number' ? { total: timings, transaction: timings } : timings);
}

/** A projector's hook: one call per committed chunk, `events` the chunk's events up to any halt. */
export function projectorChunkApplied(projector: string, events: number, timings: ChunkSeconds | number): void {
  projectedEvents.inc({ projector }, events);
  chunkTimed('projector', projector, typeof timings === 'number' ? { total: timings, transaction: timings } : timings);
}

/** A reactor's hook: one call per chunk, after its commands were produced. */
export function reactorChunkHandled(reactor: string, commands: number, timings: ChunkSeconds): void {
  if (commands > 0) commandsPublished.inc({ reactor }, commands);
  chunkTimed('reactor', reactor, timings);
}

function chunkTimed(role: string, name: string, timings: ChunkSeconds): void {
  batchChild(role, name).observe(timings.total);
  if (timings.transaction !== undefined) transactionChild(role, name).observe(timings.transaction);
  if (timings.produce !== undefined) produceChild(role, name).observe(timings.produce);
}

/** Any consumer's hook when it dead-letters a message read from `topic`. */
export function messageDeadLettered(topic: string): void {
  deadLettered.inc({ topic });
}
