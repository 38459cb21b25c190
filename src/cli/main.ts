import { Command, CommanderError } from 'commander';
import { registerAsyncApiCommand } from './asyncapiCommand.ts';
import { registerAuditCommands } from './auditCommands.ts';
import { registerForgetCommand } from './forgetCommand.ts';
import { registerOperateCommands } from './operateCommands.ts';
import { registerPipelineCommands } from './pipelineCommands.ts';
import { registerProjectionVersionCommands } from './projectionVersionCommands.ts';
import { registerServeCommand } from './serveCommand.ts';
import { registerSetupCommands } from './setupCommands.ts';
import { registerStackCommands } from './stackCommands.ts';
import { isStreamfoldError, type StreamfoldError } from '../core/index.ts';
import { isInvalidMessage } from '../messaging/errors.ts';

const debugging = ['debug', 'trace'].includes(process.env.STREAMFOLD_LOG_LEVEL ?? '');
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

/** A refusal streamfold names, for a person: its message, the problems of a message refused at send. */
function refusalOf(error: StreamfoldError): string {
  if (isInvalidMessage(error)) return `${error.typeName} was refused before anything was sent:\n${error.problems.map((p) => `  - ${p}`).join('\n')}`;
  return error.code === 'USAGE' ? oneLine(error.message) : error.message;
}

/** What failed, in words: Node's connection errors are AggregateErrors with an empty message. */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = error instanceof AggregateError ? error.errors.map(messageOf).join('; ') : '';
  const code = (error as { code?: unknown }).code;
  return error.message || inner || (typeof code === 'string' ? code : error.name);
}

const program = new Command('streamfold')
  .description('Event sourcing for TypeScript on Apache Kafka and PostgreSQL')
  // Commander's own refusals (a missing option, an unknown command) are bad input too: one line, exit 2.
  .configureOutput({ outputError: (text, write) => write(`streamfold: ${text.trim().replace(/^error: /, '')} (--help shows the usage)\n`) })
  .exitOverride();

registerStackCommands(program);
registerSetupCommands(program);
registerPipelineCommands(program);
registerAuditCommands(program);
registerOperateCommands(program);
registerForgetCommand(program);
registerProjectionVersionCommands(program);
registerServeCommand(program);
registerAsyncApiCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  // Every error streamfold throws names its refusal; anything else is said in as few words.
  console.error(`streamfold: ${isStreamfoldError(error) ? refusalOf(error) : messageOf(error)}`);
  // The stack helps a bug report, not a user: it is printed only when asked for.
  if (debugging) console.error(error);
  // A wrong argument is the user's input: exit 2, as for commander's own refusals.
  process.exitCode = isStreamfoldError(error) && error.code === 'USAGE' ? 2 : 1;
}
// Every action has finished here (long-running ones after their signal); open sockets must not keep us alive.
process.exit();
