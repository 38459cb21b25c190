import type { Command } from 'commander';
import { loadConfig } from '../config/streamfoldConfig.ts';
import { uuidArgument } from './arguments.ts';
import { actorArgument } from './operateCommands.ts';

export function registerForgetCommand(program: Command): void {
  program
    .command('forget <subjectUuid>')
    .description("crypto-shredding: destroy a data subject's key, so their personal fields read as [erased] everywhere, and erase them from read models (README, Personal data)")
    .option('--by <name>', 'who acts, for the record in subject_keys (default: the OS user)')
    .action(async (rawUuid: string, opts: { by?: string }) => {
      const subject = uuidArgument('<subject uuid>', rawUuid);
      const actor = actorArgument(opts.by);
      const [{ openRuntime }, { forgetDataSubject }] = await Promise.all([import('../runtime.ts'), import('../projection/forgetSubject.ts')]);
      const runtime = await openRuntime(await loadConfig(), 'cli');
      try {
        const report = await forgetDataSubject(runtime, subject, actor);
        console.log(`forgot ${report.subject} by ${report.forgottenBy} at ${report.forgottenAt}${report.keyDestroyed ? ': key destroyed' : ': no key was left to destroy'}`);
        for (const schema of report.readModels) console.log(`  erased in read model ${schema}`);
      } finally {
        await runtime.close();
      }
    });
}
