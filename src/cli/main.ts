import { Command, CommanderError } from 'commander';
import { registerAuditCommands } from './auditCommands.ts';
import { registerPipelineCommands } from './pipelineCommands.ts';
import { registerProjectionVersionCommands } from './projectionVersionCommands.ts';
import { registerServeCommand } from './serveCommand.ts';
import { registerSetupCommands } from './setupCommands.ts';
import { registerStackCommands } from './stackCommands.ts';
import { isStackError } from '../stack/errors.ts';
import { isInvalidMessage, MessagingError } from '../messaging/errors.ts';
import { isUsageError } from './usageError.ts';

const debugging = ['debug', 'trace'].includes(process.env.STREAMFOLD_LOG_LEVEL ?? '');
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

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
registerProjectionVersionCommands(program);
registerServeCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  if (isUsageError(error)) {
    console.error(`streamfold: ${oneLine(error.message)}`);
    process.exit(2);
  }
  if (isInvalidMessage(error)) {
    console.error(`streamfold: ${error.typeName} was refused before anything was sent:\n${error.problems.map((p) => `  - ${p}`).join('\n')}`);
  } else if (isStackError(error) || error instanceof MessagingError) {
    console.error(`streamfold: ${error.message}`);
  } else {
    console.error(`streamfold: ${messageOf(error)}`);
    // The stack helps a bug report, not a user: it is printed only when asked for.
    if (debugging) console.error(error);
  }
  process.exitCode = 1;
}
// Every action has finished here (long-running ones after their signal); open sockets must not keep us alive.
process.exit();
