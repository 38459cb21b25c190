import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/streamfoldConfig.ts';
import { createCommandSender } from '../client/commandSender.ts';
import { waitForOutcome } from '../client/waitForOutcome.ts';
import { waitForProjection } from '../client/waitForProjection.ts';
import { createLogger } from '../logger.ts';
import { startProjector } from '../projection/projector.ts';
import { startReactor } from '../reactor/reactorRunner.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { startAggregateWorker } from '../worker/aggregateWorker.ts';
import { formatEvent } from './format.ts';

function parseData(raw: string): Record<string, unknown> {
  const text = raw.startsWith('@') ? fs.readFileSync(raw.slice(1), 'utf8') : raw;
  try {
    const data = JSON.parse(text) as unknown;
    if (data && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>;
  } catch (error) {
    throw new Error(`--data is not JSON (${(error as Error).message}); give an object like '{"name":"x"}' or @file.json`, { cause: error });
  }
  throw new Error('--data must be a JSON object');
}

/** Runs until SIGTERM or SIGINT, then stops each part cleanly. */
async function runUntilSignalled(runtime: Runtime, parts: { stop(): Promise<void> }[], log: (l: string) => void) {
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  log('stopping');
  await Promise.all(parts.map((p) => p.stop()));
  await runtime.close();
}

/**
 * A consumer stuck for good (kafkajs will not restart it, or its fetches go unanswered) ends the
 * process, so its supervisor starts a fresh one; an unfinished chunk rolls back and is redelivered.
 */
export const exitWhenStuck =
  (log: (line: string, fields?: Record<string, unknown>) => void) =>
  (reason: string, detail: string): void => {
    log('consumer stuck; exiting so that a supervisor starts this process again', { reason, detail });
    process.exit(70);
  };

const list = (value: string) => value.split(',').map((v) => v.trim()).filter(Boolean);

export function registerPipelineCommands(program: Command): void {
  program
    .command('send <commandType>')
    .description('validate a command against its Avro schema and produce it; prints the command uuid')
    .requiredOption('--aggregate <uuid>', 'the target aggregate uuid (the message key)')
    .requiredOption('--data <json>', 'the command data as JSON, or @file.json')
    .option('--command-uuid <uuid>', 'use this command uuid (a resend with the same uuid is deduplicated)')
    .option('--issued-by <who>', 'who issued the command', 'cli')
    .option('--role <role>', 'the role of the issuer', 'operator')
    .option('--correlation-id <uuid>', 'correlation id (default: the command uuid)')
    .option('--wait', 'wait for the outcome and print the events or the refusal')
    .option('--wait-for <projection>', "wait until this projection has applied the command's events (read your writes); implies --wait")
    .option('--timeout <ms>', 'how long --wait waits', '30000')
    .action(async (commandType: string, opts) => {
      const runtime = await openRuntime(await loadConfig(), 'cli');
      const sender = await createCommandSender(runtime);
      try {
        const command = await sender.send({
          commandType,
          aggregateUuid: opts.aggregate,
          data: parseData(opts.data),
          commandUuid: opts.commandUuid,
          metadata: { issuedBy: opts.issuedBy, role: opts.role, correlationId: opts.correlationId },
        });
        console.log(command.commandUuid);
        if (opts.wait || opts.waitFor) {
          const { command: processed, events } = await waitForOutcome(runtime.pool, command.commandUuid, Number(opts.timeout));
          console.log(`outcome: ${processed.outcome}${processed.reason ? ` (${processed.reason})` : ''}`);
          for (const event of events) console.log(formatEvent(event));
          if (processed.outcome !== 'accepted') process.exitCode = 3;
        }
        if (opts.waitFor) {
          const { waitedMs } = await waitForProjection(runtime, command.commandUuid, opts.waitFor, Number(opts.timeout));
          console.log(`projection ${opts.waitFor} has applied them (${waitedMs} ms after sending)`);
        }
      } finally {
        await sender.close();
        await runtime.close();
      }
    });

  program
    .command('worker')
    .description('run an aggregate worker: command topics → event log → event topics')
    .option('--domains <names>', 'comma-separated domain names (default: all in the config)', list)
    .action(async (opts) => {
      const logger = createLogger('worker');
      const runtime = await openRuntime(await loadConfig(), 'worker');
      const worker = await startAggregateWorker(runtime, { domains: opts.domains, logger, onStuck: exitWhenStuck(logger.info) });
      logger.info('worker running');
      await runUntilSignalled(runtime, [worker], logger.info);
    });

  program
    .command('project')
    .description('run projectors, one consumer group per projection version')
    .option('--projection <names>', 'comma-separated projection names (default: all)', list)
    .action(async (opts) => {
      const logger = createLogger('projector');
      const log = logger.info;
      const runtime = await openRuntime(await loadConfig(), 'projector');
      const chosen = runtime.config.projections.filter((p) => !opts.projection || opts.projection.includes(p.name));
      const running = await Promise.all(chosen.map((p) => startProjector(runtime, p, { log, debug: logger.debug, onStuck: exitWhenStuck(log) })));
      log('projectors running', { projections: chosen.map((p) => p.name) });
      await runUntilSignalled(runtime, running, log);
    });

  program
    .command('react')
    .description('run reactors: events in, commands out')
    .option('--reactor <names>', 'comma-separated reactor names (default: all)', list)
    .action(async (opts) => {
      const log = createLogger('reactor').info;
      const runtime = await openRuntime(await loadConfig(), 'reactor');
      const chosen = runtime.config.reactors.filter((r) => !opts.reactor || opts.reactor.includes(r.name));
      const running = await Promise.all(chosen.map((r) => startReactor(runtime, r)));
      log('reactors running', { reactors: chosen.map((r) => r.name) });
      await runUntilSignalled(runtime, running, log);
    });
}
