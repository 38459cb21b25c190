import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import pg from 'pg';
import { createCommandSender, type CommandInput } from '../client/commandSender.ts';
import { waitForOutcome } from '../client/waitForOutcome.ts';
import { readSettings, type Settings } from '../config/settings.ts';
import type { StreamfoldConfig, StreamfoldConfigInput } from '../config/streamfoldConfig.ts';
import { StreamfoldError, type CommandEnvelope, type CommandOutcome, type CoreErrorCode, type RecordedEvent } from '../core/index.ts';
import { readEventsAfter, readLogHead, unsealEvents } from '../eventlog/index.ts';
import { waitForQuiescence } from '../operate/quiescence.ts';
import { schemaOf } from '../projection/names.ts';
import { startProjector } from '../projection/projector.ts';
import { startReactor } from '../reactor/reactorRunner.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { prepareAll } from '../setup.ts';
import { startAggregateWorker } from '../worker/aggregateWorker.ts';
import { isolateConfig, isolatedDatabaseUrl, removeIsolated, temporaryTopicsDir, writeTopicFiles } from './isolation.ts';

export interface TestPipelineOptions {
  /** The folder the config's relative paths (avro/) are read from; the current folder by default. */
  readonly baseDir?: string;
  /** Goes into topic, group and database names: lower-case letters, digits and underscores. */
  readonly label?: string;
  readonly partitions?: number;
  /** How long one `when` may take, command and reactions; 60 s by default. */
  readonly timeoutMs?: number;
  readonly settings?: Settings;
}

/** A test that asks the kit for what its config does not have. */
const misuse = (message: string) => new StreamfoldError<CoreErrorCode>('CONFIGURATION', message);

/** An event a test expects: its type, and its data and aggregate when they matter. */
export interface ExpectedEvent {
  readonly type: string;
  readonly data?: object;
  readonly aggregateUuid?: string;
}

type Rows = readonly Record<string, unknown>[];

export interface WhenResult {
  readonly command: CommandEnvelope;
  readonly outcome: CommandOutcome;
  readonly reason: string | null;
  /** Every event appended while the command and what it set off (reactions) were handled, in log order. */
  readonly events: RecordedEvent[];
  /** Exactly these events, in this order, across every stream — and no other event. */
  thenEvents(expected: readonly ExpectedEvent[]): void;
  /** The negative assertion: the command appended no event at all (a duplicate, or an invalid command). */
  thenNoEvents(): void;
  /** Exactly these rows of the projection's table (filtered by `where`), in any order. */
  thenRows(projection: string, table: string, expected: Rows, where?: Record<string, unknown>): Promise<void>;
}

export interface TestPipeline {
  /** The isolated config: names are `<name>_<suffix>`. */
  readonly config: StreamfoldConfig;
  readonly runtime: Runtime;
  /** The isolated name of a domain, projection or reactor of the base config. */
  named(name: string): string;
  /** Commands that set the scene; each must be accepted. */
  given(commands: readonly CommandInput[]): Promise<void>;
  /** Sends one command and waits until it and everything it set off are handled. */
  when(command: CommandInput): Promise<WhenResult>;
  /** Rows of a projection's table (its code version), filtered by column equality. */
  rows(projection: string, table: string, where?: Record<string, unknown>): Promise<Record<string, unknown>[]>;
  /** Stops everything and deletes the test's topics and database. */
  close(): Promise<void>;
}

const comparable = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
const asSet = (rows: Rows) => rows.map(comparable).sort((a, b) => (inspect(a, { sorted: true }) < inspect(b, { sorted: true }) ? -1 : 1));

/**
 * The whole pipeline in the test's process, on the real Kafka, registry and Postgres: a worker,
 * every projector and every reactor of the config, on topics, groups and a database of the
 * test's own. Command in; events and projection rows out; and no other event.
 *
 *   const pipeline = await testPipeline(config, { baseDir: import.meta.dirname });
 *   const result = await pipeline.when({ commandType: 'Increment', aggregateUuid, data: { ... } });
 *   result.thenEvents([{ type: 'Incremented', data: { ... } }]);
 *   await result.thenRows('counters', 'counters', [{ ... }]);
 *   await pipeline.close();
 */
export async function testPipeline(base: StreamfoldConfigInput, options: TestPipelineOptions = {}): Promise<TestPipeline> {
  const label = options.label ?? 'kit';
  if (!/^[a-z][a-z0-9_]{0,20}$/.test(label)) throw misuse(`label ${JSON.stringify(label)} must be lower-case letters, digits and underscores, at most 21, starting with a letter`);
  const suffix = `${label}_${randomBytes(3).toString('hex')}`;
  const named = (name: string) => `${name}_${suffix}`;
  const root = options.settings ?? readSettings();
  const settings: Settings = { ...root, databaseUrl: isolatedDatabaseUrl(root, suffix) };
  const topicsDir = temporaryTopicsDir();
  const config = isolateConfig(base, options.baseDir ?? process.cwd(), suffix, topicsDir);
  writeTopicFiles(config, options.partitions ?? 2);
  const timeoutMs = options.timeoutMs ?? 60_000;

  await prepareAll(settings, config);
  const runtime = await openRuntime(config, 'test', settings);
  const parts: { stop(): Promise<void> }[] = [];
  try {
    parts.push(await startAggregateWorker(runtime));
    for (const projection of config.projections) parts.push(await startProjector(runtime, projection));
    for (const reactor of config.reactors) parts.push(await startReactor(runtime, reactor));
  } catch (error) {
    await Promise.all(parts.map((p) => p.stop()));
    await runtime.close();
    throw error;
  }
  const sender = await createCommandSender(runtime);

  const projectionNamed = (name: string) => {
    const found = config.projections.find((p) => p.name === named(name) || p.name === name);
    if (!found) throw misuse(`no projection ${name}; the config has ${config.projections.map((p) => p.name.slice(0, -suffix.length - 1)).join(', ')}`);
    return found;
  };

  const rows = async (projection: string, table: string, where: Record<string, unknown> = {}) => {
    const p = projectionNamed(projection);
    if (!p.tables.includes(table)) throw misuse(`${projection} has no table ${table}; its tables are ${p.tables.join(', ')}`);
    const columns = Object.keys(where);
    const filter = columns.length === 0 ? '' : `where ${columns.map((c, i) => `${pg.escapeIdentifier(c)}::text = $${i + 1}`).join(' and ')}`;
    const sql = `select * from ${pg.escapeIdentifier(schemaOf(p))}.${pg.escapeIdentifier(table)} ${filter}`;
    return (await runtime.readPool.query<Record<string, unknown>>(sql, columns.map((c) => String(where[c])))).rows;
  };

  const when = async (input: CommandInput): Promise<WhenResult> => {
    const head = await readLogHead(runtime.pool);
    const command = await sender.send(input);
    const { command: archived } = await waitForOutcome(runtime.pool, command.commandUuid, timeoutMs);
    await waitForQuiescence(runtime, timeoutMs);
    const events = await unsealEvents(runtime.pool, await readEventsAfter(runtime.pool, head), runtime.codec.personalFields);
    const shown = () => inspect(events.map((e) => ({ type: e.eventType, aggregateUuid: e.aggregateUuid, data: e.data })), { depth: 5 });
    return {
      command,
      outcome: archived.outcome as CommandOutcome,
      reason: archived.reason,
      events,
      thenEvents(expected) {
        assert.equal(events.length, expected.length, `expected ${expected.length} events (${expected.map((e) => e.type).join(', ')}), got ${shown()}`);
        expected.forEach((want, i) => {
          const got = events[i] as RecordedEvent;
          assert.equal(got.eventType, want.type, `event ${i + 1}: expected ${want.type}; all events: ${shown()}`);
          if (want.aggregateUuid !== undefined) assert.equal(got.aggregateUuid, want.aggregateUuid, `event ${i + 1} (${want.type}) is on another aggregate`);
          if (want.data !== undefined) assert.deepStrictEqual(got.data, want.data, `data of event ${i + 1} (${want.type})`);
        });
      },
      thenNoEvents() {
        assert.equal(events.length, 0, `expected no event, got ${shown()}`);
      },
      async thenRows(projection, table, expected, where) {
        assert.deepStrictEqual(asSet(await rows(projection, table, where)), asSet(expected), `rows of ${projection}.${table}`);
      },
    };
  };

  return {
    config,
    runtime,
    named,
    async given(commands) {
      for (const command of commands) {
        const result = await when(command);
        if (result.outcome !== 'accepted') throw new Error(`given: ${command.commandType} was ${result.outcome}${result.reason ? ` (${result.reason})` : ''}; a given command must be accepted`);
      }
    },
    when,
    rows,
    async close() {
      await sender.close();
      await Promise.all(parts.map((p) => p.stop()));
      await runtime.close();
      await removeIsolated(settings, topicsDir, settings.databaseUrl);
    },
  };
}
