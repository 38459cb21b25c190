import { Command } from 'commander';
import { registerAuditCommands } from './auditCommands.ts';
import { registerDemoCommand } from './demoCommand.ts';
import { registerPipelineCommands } from './pipelineCommands.ts';
import { registerProjectionVersionCommands } from './projectionVersionCommands.ts';
import { registerServeCommand } from './serveCommand.ts';
import { registerSetupCommands } from './setupCommands.ts';
import { registerStackCommands } from './stackCommands.ts';
import { isStackError } from '../stack/errors.ts';
import { isInvalidMessage, MessagingError } from '../messaging/errors.ts';
import { isUsageError } from './usageError.ts';

const program = new Command('streamfold')
  .description('Event sourcing for TypeScript on Apache Kafka and PostgreSQL')
  .showHelpAfterError();

registerStackCommands(program);
registerSetupCommands(program);
registerPipelineCommands(program);
registerAuditCommands(program);
registerProjectionVersionCommands(program);
registerDemoCommand(program);
registerServeCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (isUsageError(error)) {
    console.error(`streamfold: ${error.message}`);
    process.exit(2);
  }
  if (isInvalidMessage(error)) {
    console.error(`streamfold: ${error.typeName} was refused before anything was sent:\n${error.problems.map((p) => `  - ${p}`).join('\n')}`);
  } else if (isStackError(error) || error instanceof MessagingError) {
    console.error(`streamfold: ${error.message}`);
  } else {
    // Anything else keeps its stack for a bug report.
    console.error(error);
  }
  process.exitCode = 1;
}
// Every action has finished here (long-running ones after their signal); open sockets must not keep us alive.
process.exit();
