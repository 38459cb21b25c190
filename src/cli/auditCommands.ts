import type { Command } from 'commander';
import { avroDirOf, loadConfig } from '../config/streamfoldConfig.ts';
import { fold, type RecordedEvent } from '../core/index.ts';
import type { PersonalFieldsOf, Pool } from '../eventlog/index.ts';
import { describePoint, eventsUpTo, parsePointInTime, type PointInTime } from '../eventlog/pointInTime.ts';
import { readSettings } from '../config/settings.ts';
import { uuidArgument } from './arguments.ts';
import { formatEvent } from './format.ts';
import { UsageError } from './usageError.ts';

function pointInTimeArgument(raw: string): PointInTime {
  try {
    return parsePointInTime(raw);
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

// The commands import what talks to Postgres and Kafka when they run, so `--help` starts quickly.
const eventLog = () => import('../eventlog/index.ts');

/** The config's personal fields, to open sealed values for display (plaintext, or [erased] once forgotten). */
async function personalFieldsOfConfig(): Promise<PersonalFieldsOf> {
  const [{ loadSchemas }, config] = await Promise.all([import('../messaging/schemaCatalog.ts'), loadConfig()]);
  const schemas = loadSchemas(avroDirOf(config));
  return (typeName) => schemas.get(typeName)?.personal;
}

async function withPool<T>(work: (pool: Pool) => Promise<T>): Promise<T> {
  const { createPool } = await eventLog();
  const pool = createPool(readSettings().databaseUrl, 2);
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

/** The first seed's "state at any point in the past": the left fold of the events up to that point. */
async function printStateAt(events: readonly (RecordedEvent & { schemaId: number })[], aggregateUuid: string, at: PointInTime): Promise<void> {
  const aggregateType = events[0]?.aggregateType;
  const refusal = describePoint(events, at);
  if (refusal) {
    console.error(`streamfold: ${aggregateType} ${aggregateUuid} ${refusal}`);
    process.exitCode = 1;
    return;
  }
  const [{ openRuntime }, { currentEvents }] = await Promise.all([import('../runtime.ts'), import('../worker/currentEvents.ts')]);
  const runtime = await openRuntime(await loadConfig(), 'cli');
  let state: unknown;
  const upTo = eventsUpTo(events, at);
  try {
    const domain = runtime.config.domains.find((d) => d.aggregateType === aggregateType);
    if (!domain) throw new Error(`no domain in the config handles aggregate type ${aggregateType}; add it to streamfold.config.ts`);
    // The log keeps events as written; the decider folds them in today's shape, as the worker does.
    state = fold(domain.decider, await currentEvents(runtime.codec, upTo));
  } finally {
    await runtime.close();
  }
  const last = upTo.at(-1);
  const where = last ? `version ${last.aggregateVersion} of ${events.length}, after ${last.eventType} recorded ${last.recordedAt}` : `before its first event (recorded ${events[0]?.recordedAt})`;
  const asked = 'version' in at ? (last ? '' : 'version 0: ') : `${at.time.toISOString()}: `;
  console.log(`${aggregateType} ${aggregateUuid} at ${asked}${where}`);
  console.log(`  ${JSON.stringify(state)}`);
}

export function registerAuditCommands(program: Command): void {
  program
    .command('stream <aggregateUuid>')
    .description("an aggregate's history: version, type, time, data and the command that caused each event")
    .option('--at <version|time>', "print the aggregate's state then instead: the fold of its events up to a version (3) or a time (ISO 8601)")
    .action((rawUuid: string, opts: { at?: string }) => {
      const aggregateUuid = uuidArgument('<aggregate uuid>', rawUuid);
      const at = opts.at === undefined ? undefined : pointInTimeArgument(opts.at);
      return withPool(async (pool) => {
        const { readStream, unsealEvents } = await eventLog();
        const events = await unsealEvents(pool, await readStream(pool, aggregateUuid), await personalFieldsOfConfig());
        if (events.length === 0) {
          console.log(`no events for aggregate ${aggregateUuid}`);
          process.exitCode = 1;
          return;
        }
        if (at !== undefined) return printStateAt(events, aggregateUuid, at);
        console.log(`${events[0]?.aggregateType} ${aggregateUuid}, ${events.length} events`);
        for (const event of events) console.log(formatEvent(event));
      });
    });

  program
    .command('command <commandUuid>')
    .description("a command's outcome and the events it caused")
    .action((rawUuid: string) => {
      const commandUuid = uuidArgument('<command uuid>', rawUuid);
      return withPool(async (pool) => {
        const { findProcessedCommand, readEventsCausedBy, unsealEvents, unsealMessages } = await eventLog();
        const personalOf = await personalFieldsOfConfig();
        const found = await findProcessedCommand(pool, commandUuid);
        const [command] = found ? await unsealMessages(pool, [found], (c) => c.command_type, personalOf) : [];
        if (!command) {
          console.log(`command ${commandUuid} has not been processed (not received, or no worker is running)`);
          process.exitCode = 1;
          return;
        }
        console.log(`${command.command_type} ${command.command_uuid} → ${command.aggregate_type} ${command.aggregate_uuid}`);
        console.log(`  outcome ${command.outcome ?? 'pending'}${command.reason ? ` (${command.reason})` : ''}, received ${command.received_at.toISOString()}`);
        console.log(`  data ${JSON.stringify(command.data)}`);
        console.log(`  metadata ${JSON.stringify(command.metadata)}`);
        for (const event of await unsealEvents(pool, await readEventsCausedBy(pool, commandUuid), personalOf)) console.log(formatEvent(event));
      });
    });

  program
    .command('status')
    .description('consumer group lag per partition, command outcomes, dead-letter counts, halted projections')
    .action(async () => {
      const [{ openRuntime }, { formatStatus, pipelineStatus }] = await Promise.all([import('../runtime.ts'), import('../operate/status.ts')]);
      const runtime = await openRuntime(await loadConfig(), 'status');
      try {
        console.log(formatStatus(await pipelineStatus(runtime, { versions: true }), runtime.readDatabase));
      } finally {
        await runtime.close();
      }
    });
}
