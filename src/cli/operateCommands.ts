import os from 'node:os';
import type { Command } from 'commander';
import { readSettings } from '../config/settings.ts';
import { loadConfig } from '../config/streamfoldConfig.ts';
import { commandTopicOf, eventTopicOf, unstorableTextProblem } from '../core/index.ts';
import { deadLetterTopicOf } from '../messaging/deadLetters.ts';
import type { TransportAdmin } from '../messaging/transport.ts';
import type { Runtime } from '../runtime.ts';
import { positiveInteger, shown, uuidArgument } from './arguments.ts';
import { UsageError } from './usageError.ts';

// The operator's actions of the UI and the HTTP API, from a terminal: the commands import what talks
// to Postgres and Kafka when they run, so `--help` starts quickly.

/** The OS user, the actor of an action when `--by` names none. */
const osUser = () => {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
};

async function withRuntime<T>(work: (runtime: Runtime, admin: TransportAdmin) => Promise<T>): Promise<T> {
  const { openRuntime } = await import('../runtime.ts');
  const runtime = await openRuntime(await loadConfig(), 'cli');
  const admin = runtime.transport.admin();
  try {
    await admin.connect();
    return await work(runtime, admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
    await runtime.close();
  }
}

/** A dead-letter topic of the config, or a UsageError naming them. */
async function deadLetterTopicArgument(raw: string): Promise<string> {
  const known = (await loadConfig()).domains.flatMap((d) => [commandTopicOf(d), eventTopicOf(d)]).map(deadLetterTopicOf);
  if (!known.includes(raw)) throw new UsageError(`<dlq-topic>: ${shown(raw)} is not a dead-letter topic of the config; they are ${known.join(', ')}`);
  return raw;
}

/** A partition from 0, digits only. */
function partitionArgument(raw: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw new UsageError(`<partition>: ${shown(raw)} is not a partition (a whole number from 0)`);
  return Number(raw);
}

/** An offset from 0, digits only, kept a bigint. */
function offsetArgument(raw: string): bigint {
  if (!/^\d{1,19}$/.test(raw)) throw new UsageError(`<offset>: ${shown(raw)} is not an offset (a whole number from 0)`);
  return BigInt(raw);
}

export function actorArgument(raw: string | undefined): string {
  const actor = (raw ?? osUser()).trim();
  if (actor === '' || actor.length > 200) throw new UsageError(`--by: ${shown(raw ?? '')} must name who acts, in 1 to 200 characters`);
  // The actor is stored in a text column: text Postgres refuses is refused here, not as a failed insert.
  const unstorable = unstorableTextProblem(actor);
  if (unstorable) throw new UsageError(`--by ${unstorable}`);
  return actor;
}

export function registerOperateCommands(program: Command): void {
  program
    .command('trace')
    .description('the tree of one correlation (command → events → reactor commands → events), from a correlation id or a command uuid')
    .argument('<uuid>', 'a correlation id, or the uuid of a command of the correlation')
    .action(async (raw: string) => {
      const uuid = uuidArgument('<uuid>', raw).toLowerCase();
      const [{ createPool, findProcessedCommand, readCommandsOfCorrelation }, { readCorrelationTree }, { drawCorrelationTree }] = await Promise.all([
        import('../eventlog/index.ts'),
        import('../gateway/queries/correlationTree.ts'),
        import('./traceTree.ts'),
      ]);
      const config = await loadConfig();
      const pool = createPool(readSettings().databaseUrl, 2);
      try {
        let tree = await readCorrelationTree(pool, config, uuid);
        if (tree.commands === 0) {
          // Not a correlation id: a command's uuid names its correlation in the archive.
          const correlationId = (await findProcessedCommand(pool, uuid))?.metadata.correlationId;
          if (typeof correlationId === 'string') tree = await readCorrelationTree(pool, config, correlationId);
        }
        if (tree.commands === 0) {
          console.error(`streamfold: ${uuid} is neither a correlation id nor a command uuid of the event log`);
          process.exitCode = 1;
          return;
        }
        const commands = await readCommandsOfCorrelation(pool, tree.correlationId, 1001);
        const issuedAt = new Map(commands.map((c) => [c.command_uuid, String(c.metadata.issuedAt ?? c.received_at.toISOString())]));
        console.log(drawCorrelationTree(tree, issuedAt));
      } finally {
        await pool.end();
      }
    });

  const deadLetters = program.command('dead-letters').description("the config's dead-letter topics: list, show, retry or discard their messages (recorded with who did it)");
  deadLetters
    .command('list')
    .description('each dead-letter topic with how many messages it holds, and how many were retried or discarded')
    .action(async () => {
      const [{ deadLetterCounts }, { readDeadLetterActions }] = await Promise.all([import('../gateway/queries/pipelineOverview.ts'), import('../eventlog/deadLetterActions.ts')]);
      await withRuntime(async (runtime, admin) => {
        const [counts, actions] = await Promise.all([deadLetterCounts(runtime, admin), readDeadLetterActions(runtime.pool)]);
        if (counts.length === 0) return console.log('no dead-letter topic exists yet (topics apply creates them)');
        const width = Math.max(...counts.map((c) => c.topic.length));
        for (const { topic, count } of counts) {
          const of = (action: string) => new Set(actions.filter((a) => a.topic === topic && a.action === action).map((a) => `${a.partition}@${a.offset}`)).size;
          console.log(`${topic.padEnd(width)}  ${String(count).padStart(6)} message${count === 1n ? ' ' : 's'}  ${of('retried')} retried  ${of('discarded')} discarded`);
        }
      });
    });
  deadLetters
    .command('show')
    .description('the newest messages of a dead-letter topic: error code, reason, source, key, a preview, and what was done with each')
    .argument('<dlq-topic>', 'a dead-letter topic of the config, e.g. roster.commands.dlq')
    .option('--limit <n>', 'messages per partition, newest first', (v) => positiveInteger('--limit', v), 20)
    .action(async (rawTopic: string, opts: { limit: number }) => {
      const topic = await deadLetterTopicArgument(rawTopic);
      const [{ readDeadLetters }, { readDeadLetterActions }] = await Promise.all([import('../gateway/queries/deadLetterMessages.ts'), import('../eventlog/deadLetterActions.ts')]);
      await withRuntime(async (runtime, admin) => {
        const [letters, actions] = await Promise.all([readDeadLetters(runtime, admin, topic, opts.limit), readDeadLetterActions(runtime.pool, topic)]);
        if (letters.length === 0) return console.log(`${topic} holds no message`);
        for (const l of letters) {
          const done = actions.filter((a) => a.partition === l.partition && a.offset === l.offset);
          console.log(`${l.partition}@${l.offset}  ${l.errorCode}  from ${l.sourceTopic}[${l.sourcePartition}]@${l.sourceOffset}  ${l.failedAt}`);
          console.log(`  reason   ${l.error}`);
          console.log(`  key      ${l.key ?? '(none)'}`);
          console.log(`  value    ${l.size} bytes: ${l.preview}`);
          for (const a of done) console.log(`  ${a.action.padEnd(8)} by ${a.actor} at ${a.actedAt}${a.sentTo ? ` to ${a.sentTo}` : ''}`);
        }
      });
    });
  for (const [action, description] of [
    ['retry', 'send a dead-lettered message back to its source topic, recorded with who did it'],
    ['discard', 'mark a dead-lettered message discarded (Kafka keeps it until retention), recorded with who did it'],
  ] as const) {
    deadLetters
      .command(action)
      .description(description)
      .argument('<dlq-topic>', 'a dead-letter topic of the config')
      .argument('<partition>', 'the partition of the message')
      .argument('<offset>', 'the offset of the message')
      .option('--by <name>', 'who acts, for the audit record (default: the OS user)')
      .action(async (rawTopic: string, rawPartition: string, rawOffset: string, opts: { by?: string }) => {
        const topic = await deadLetterTopicArgument(rawTopic);
        const partition = partitionArgument(rawPartition);
        const offset = offsetArgument(rawOffset);
        const actor = actorArgument(opts.by);
        const { retryDeadLetterBy, discardDeadLetterBy } = await import('../operate/deadLetterActions.ts');
        const done = await withRuntime((runtime, admin) => (action === 'retry' ? retryDeadLetterBy : discardDeadLetterBy)(runtime, admin, topic, partition, offset, actor));
        console.log(`${done.action} ${topic} ${partition}@${offset}${done.sentTo ? ` → ${done.sentTo}` : ''} by ${done.actor} at ${done.actedAt}`);
      });
  }
}
