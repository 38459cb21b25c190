import type { Command } from 'commander';
import { loadConfig, type StreamfoldConfig } from '../config/streamfoldConfig.ts';
import type { CommandInput } from '../client/commandSender.ts';
import type { Runtime } from '../runtime.ts';
import { jsonArgument, knownNames, optionalUuid, positiveInteger, uuidArgument } from './arguments.ts';
import { formatEvent } from './format.ts';
import { metricsListen, metricsPortHelp, startMetricsIfAsked } from './metricsOption.ts';
import { chunkTimingsFromEnv } from '../chunkTimings.ts';

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

interface SendOptions {
  aggregate: string;
  data: string;
  commandUuid?: string;
  issuedBy: string;
  role: string;
  correlationId?: string;
  wait?: boolean;
  waitFor?: string;
  timeout: string;
}

/** Every argument of `send`, checked against the config before anything is connected or sent. */
function sendArguments(config: StreamfoldConfig, commandType: string, opts: SendOptions) {
  knownNames('<CommandType>', 'command type', [commandType], config.domains.flatMap((d) => d.commandTypes));
  const input: CommandInput = {
    commandType,
    aggregateUuid: uuidArgument('--aggregate', opts.aggregate),
    commandUuid: optionalUuid('--command-uuid', opts.commandUuid),
    metadata: { issuedBy: opts.issuedBy, role: opts.role, correlationId: optionalUuid('--correlation-id', opts.correlationId) },
    data: jsonArgument('--data', opts.data),
  };
  const waitFor = opts.waitFor === undefined ? undefined : knownNames('--wait-for', 'projection', [opts.waitFor], config.projections.map((p) => p.name))[0];
  return { input, wait: Boolean(opts.wait) || waitFor !== undefined, waitFor, timeoutMs: positiveInteger('--timeout', opts.timeout) };
}

// Each command imports the clients it runs with when it runs, so `--help` starts quickly.
const runtimeModule = () => import('../runtime.ts');
const loggerModule = () => import('../logger.ts');

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
    .action(async (commandType: string, opts: SendOptions) => {
      const config = await loadConfig();
      const { input, wait, waitFor, timeoutMs } = sendArguments(config, commandType, opts);
      const [{ openRuntime }, { createCommandSender }, { waitForOutcome }, { waitForProjection }] = await Promise.all([
        runtimeModule(),
        import('../client/commandSender.ts'),
        import('../client/waitForOutcome.ts'),
        import('../client/waitForProjection.ts'),
      ]);
      const runtime = await openRuntime(config, 'cli');
      const sender = await createCommandSender(runtime);
      try {
        const command = await sender.send(input);
        console.log(command.commandUuid);
        if (wait) {
          const { command: processed, events } = await waitForOutcome(runtime.pool, command.commandUuid, timeoutMs);
          console.log(`outcome: ${processed.outcome}${processed.reason ? ` (${processed.reason})` : ''}`);
          for (const event of events) console.log(formatEvent(event));
          if (processed.outcome !== 'accepted') process.exitCode = 3;
        }
        if (waitFor) {
          const { waitedMs } = await waitForProjection(runtime, command.commandUuid, waitFor, timeoutMs);
          console.log(`projection ${waitFor} has applied them (${waitedMs} ms after sending)`);
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
    .option('--metrics-port <port>', metricsPortHelp)
    .action(async (opts: { domains?: string[]; metricsPort?: string }) => {
      const config = await loadConfig();
      const domains = knownNames('--domains', 'domain', opts.domains, config.domains.map((d) => d.name));
      const listen = metricsListen(opts.metricsPort);
      const [{ createLogger }, { openRuntime }, { startAggregateWorker }, { faultHooksFromEnv }] = await Promise.all([
        loggerModule(),
        runtimeModule(),
        import('../worker/aggregateWorker.ts'),
        import('./faultHooks.ts'),
      ]);
      const logger = createLogger('worker');
      const runtime = await openRuntime(config, 'worker');
      const metrics = await startMetricsIfAsked(listen, runtime, logger.info);
      const worker = await startAggregateWorker(runtime, { domains, logger, onStuck: exitWhenStuck(logger.info), faultHooks: await faultHooksFromEnv(), timings: chunkTimingsFromEnv(logger.debug) });
      logger.info('worker running');
      await runUntilSignalled(runtime, [worker, ...metrics], logger.info);
    });

  program
    .command('project')
    .description('run projectors, one consumer group per projection version')
    .option('--projection <names>', 'comma-separated projection names (default: all)', list)
    .option('--metrics-port <port>', metricsPortHelp)
    .action(async (opts: { projection?: string[]; metricsPort?: string }) => {
      const config = await loadConfig();
      const names = knownNames('--projection', 'projection', opts.projection, config.projections.map((p) => p.name));
      const listen = metricsListen(opts.metricsPort);
      const [{ createLogger }, { openRuntime }, { startProjector }, { faultHooksFromEnv }] = await Promise.all([
        loggerModule(),
        runtimeModule(),
        import('../projection/projector.ts'),
        import('./faultHooks.ts'),
      ]);
      const logger = createLogger('projector');
      const log = logger.info;
      const runtime = await openRuntime(config, 'projector');
      const metrics = await startMetricsIfAsked(listen, runtime, log);
      const chosen = runtime.config.projections.filter((p) => names.includes(p.name));
      const faultHooks = await faultHooksFromEnv();
      const running = await Promise.all(chosen.map((p) => startProjector(runtime, p, { log, debug: logger.debug, onStuck: exitWhenStuck(log), faultHooks, timings: chunkTimingsFromEnv(logger.debug) })));
      log('projectors running', { projections: chosen.map((p) => p.name) });
      await runUntilSignalled(runtime, [...running, ...metrics], log);
    });

  program
    .command('react')
    .description('run reactors: events in, commands out')
    .option('--reactor <names>', 'comma-separated reactor names (default: all)', list)
    .option('--metrics-port <port>', metricsPortHelp)
    .action(async (opts: { reactor?: string[]; metricsPort?: string }) => {
      const config = await loadConfig();
      const names = knownNames('--reactor', 'reactor', opts.reactor, config.reactors.map((r) => r.name));
      const listen = metricsListen(opts.metricsPort);
      const [{ createLogger }, { openRuntime }, { startReactor }] = await Promise.all([loggerModule(), runtimeModule(), import('../reactor/reactorRunner.ts')]);
      const log = createLogger('reactor').info;
      const runtime = await openRuntime(config, 'reactor');
      const metrics = await startMetricsIfAsked(listen, runtime, log);
      const chosen = runtime.config.reactors.filter((r) => names.includes(r.name));
      const running = await Promise.all(chosen.map((r) => startReactor(runtime, r, { log })));
      log('reactors running', { reactors: chosen.map((r) => r.name) });
      await runUntilSignalled(runtime, [...running, ...metrics], log);
    });
}
