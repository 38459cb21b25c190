import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { eventTopicOf, commandTopicOf } from '../../src/core/index.ts';
import { inTransaction, readAllEvents } from '../../src/eventlog/index.ts';
import { deadLetterTopicOf } from '../../src/messaging/deadLetters.ts';
import { tableDigests } from '../../src/projection/foldEventLog.ts';
import { projectorNameOf, schemaOf } from '../../src/projection/names.ts';
import { setupProjection } from '../../src/projection/projector.ts';
import type { IsolatedPipeline } from '../support/isolatedPipeline.ts';
import type { LoadResult } from './load.ts';
import { rawKafka } from '../support/rawKafka.ts';

export interface TopicMessage {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string | undefined;
  readonly headers: Record<string, string>;
}

export interface LogEvent {
  readonly position: bigint;
  readonly streamId: string;
  readonly version: bigint;
  readonly eventUuid: string;
  readonly type: string;
  readonly data: { counter_uuid: string; by?: number; total: number };
  readonly causedBy: string;
}

export interface CommandRow {
  readonly commandUuid: string;
  readonly aggregateUuid: string;
  readonly outcome: string | null;
  readonly eventUuids: string[];
}

export interface FailureRow {
  readonly eventUuid: string;
  readonly aggregateUuid: string;
  readonly status: string;
  readonly error: string;
}

export interface CounterRow {
  readonly counterUuid: string;
  readonly total: bigint;
  readonly applied: number;
  readonly lastVersion: bigint;
}

/** Everything the invariants look at, gathered once the pipeline is quiet. */
export interface History {
  readonly load: LoadResult;
  readonly commands: CommandRow[];
  readonly events: LogEvent[];
  readonly projected: string[];
  readonly failures: FailureRow[];
  readonly readModel: CounterRow[];
  readonly eventTopic: TopicMessage[];
  /** Tells a command the broker lost (acknowledged, not on its topic) from one the worker missed. */
  readonly commandTopic: TopicMessage[];
  /** Per dead-letter topic: its messages, the distinct source messages among them, their error codes. */
  readonly deadLetters: Record<string, { messages: number; distinct: number; codes: Record<string, number> }>;
  /** Poison messages the scenario injected, per dead-letter topic. */
  readonly expectedDeadLetters: Record<string, number>;
  /** Row counts and checksums of the live read model and of a fresh replay of the event log. */
  readonly liveDigest: Record<string, { rows: number; checksum: string }>;
  readonly replayDigest: Record<string, { rows: number; checksum: string }>;
}

/** Every message of a topic with its partition, read by a throwaway consumer group. */
export async function readWholeTopic(kafka: Kafka, topic: string): Promise<TopicMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
  const messages: TopicMessage[] = [];
  const pending = () => ends.some((p) => BigInt(p.high) > BigInt(p.low) && (remaining.get(p.partition) ?? 0n) > 0n);
  if (!pending()) return messages;
  const groupId = `fault-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const high = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reading ${topic} took more than 60 s`)), 60_000);
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(m.headers ?? {})) headers[name] = String(Array.isArray(value) ? value[0] : value);
          messages.push({ partition: batch.partition, offset: BigInt(m.offset), key: m.key?.toString(), headers });
          const end = high.get(batch.partition) ?? 0n;
          remaining.set(batch.partition, end - BigInt(m.offset) - 1n);
        }
        if (!pending()) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  const admin2 = kafka.admin();
  await admin2.connect();
  await admin2.deleteGroups([groupId]).catch(() => undefined);
  await admin2.disconnect();
  return messages;
}

/** Builds the projection again straight from the event log, leaving out events an operator skipped. */
async function replayDigest(pipeline: IsolatedPipeline, skipped: Set<string>) {
  const { runtime, config } = pipeline;
  const projection = config.projections[0]!;
  const schema = `${schemaOf(projection)}_replay`;
  const streamTypes = projection.sources.map((name) => runtime.domainNamed(name).aggregateType);
  await inTransaction(runtime.pool, async (client) => {
    await client.query(`drop schema if exists ${client.escapeIdentifier(schema)} cascade`);
    await client.query(`create schema ${client.escapeIdentifier(schema)}`);
    await projection.setup(client, schema);
    for (const event of await readAllEvents(client, streamTypes)) {
      if (!skipped.has(event.eventUuid)) await projection.apply(event, client, schema);
    }
  });
  return tableDigests(runtime.pool, projection, schema);
}

export async function collectHistory(pipeline: IsolatedPipeline, load: LoadResult, expectedDeadLetters: Record<string, number>): Promise<History> {
  const { runtime, config } = pipeline;
  const domain = config.domains[0]!;
  const projection = config.projections[0]!;
  const { pool } = runtime;
  // A run without a projector (fault 8) never created the read model; an empty one compares fine.
  await setupProjection(pool, projection);
  const commands = (
    await pool.query<{ command_uuid: string; aggregate_uuid: string; outcome: string | null; event_uuids: string[] }>(
      'select command_uuid::text, aggregate_uuid::text, outcome, event_uuids::text[] from processed_commands',
    )
  ).rows.map((r) => ({ commandUuid: r.command_uuid, aggregateUuid: r.aggregate_uuid, outcome: r.outcome, eventUuids: r.event_uuids }));
  const events = (
    await pool.query<{ position: bigint; stream_id: string; version: bigint; event_uuid: string; type: string; data: LogEvent['data']; caused_by: string }>(
      'select position, stream_id::text, version, event_uuid::text, type, data, caused_by_command_uuid::text as caused_by from events order by position',
    )
  ).rows.map((r) => ({ position: r.position, streamId: r.stream_id, version: r.version, eventUuid: r.event_uuid, type: r.type, data: r.data, causedBy: r.caused_by }));
  const projector = projectorNameOf(projection);
  const projected = (await pool.query<{ event_uuid: string }>('select event_uuid::text from projected_events where projector = $1', [projector])).rows.map((r) => r.event_uuid);
  const failures = (
    await pool.query<{ event_uuid: string; aggregate_uuid: string; status: string; error: string }>(
      'select event_uuid::text, aggregate_uuid::text, status, error from projection_failures where projector = $1',
      [projector],
    )
  ).rows.map((r) => ({ eventUuid: r.event_uuid, aggregateUuid: r.aggregate_uuid, status: r.status, error: r.error }));
  const readModel = (
    await pool.query<{ counter_uuid: string; total: bigint; applied: number; last_version: bigint }>(
      `select counter_uuid::text, total, applied, last_version from "${schemaOf(projection)}".counters`,
    )
  ).rows.map((r) => ({ counterUuid: r.counter_uuid, total: r.total, applied: r.applied, lastVersion: r.last_version }));
  const dlqTopics = [deadLetterTopicOf(commandTopicOf(domain)), deadLetterTopicOf(eventTopicOf(domain))];
  const commandTopic = await readWholeTopic(rawKafka(runtime), commandTopicOf(domain));
  const deadLetters: History['deadLetters'] = {};
  const deadSources = new Set<string>();
  for (const topic of dlqTopics) {
    const messages = await readWholeTopic(rawKafka(runtime), topic);
    const sources = new Set(messages.map((m) => `${m.headers['dlq-source-topic']}[${m.headers['dlq-source-partition']}]@${m.headers['dlq-source-offset']}`));
    for (const source of sources) deadSources.add(source);
    const codes: Record<string, number> = {};
    for (const m of messages) codes[m.headers['dlq-error-code'] ?? '?'] = (codes[m.headers['dlq-error-code'] ?? '?'] ?? 0) + 1;
    deadLetters[topic] = { messages: messages.length, distinct: sources.size, codes };
  }
  // Poison on the event topic carries event headers (so it reaches the door's value checks): what
  // was dead-lettered is no event of the log, and I3 and I4 must not count it as one.
  const eventTopic = (await readWholeTopic(rawKafka(runtime), eventTopicOf(domain))).filter(
    (m) => !deadSources.has(`${eventTopicOf(domain)}[${m.partition}]@${m.offset}`),
  );
  const skipped = new Set(failures.filter((f) => f.status === 'skipped').map((f) => f.eventUuid));
  return {
    load,
    commands,
    events,
    projected,
    failures,
    readModel,
    eventTopic,
    commandTopic,
    deadLetters,
    expectedDeadLetters: Object.fromEntries(dlqTopics.map((t) => [t, expectedDeadLetters[t] ?? 0])),
    liveDigest: await tableDigests(pool, projection, schemaOf(projection)),
    replayDigest: await replayDigest(pipeline, skipped),
  };
}
