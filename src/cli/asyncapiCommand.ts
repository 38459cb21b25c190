import fs from 'node:fs';
import type { Command } from 'commander';
import { avroDirOf, loadConfig } from '../config/streamfoldConfig.ts';

export function registerAsyncApiCommand(program: Command): void {
  program
    .command('asyncapi')
    .description("write the AsyncAPI 3.0 document of the config's topics (commands, events, dead letters; Avro messages, envelope headers, key)")
    .option('--out <file>', 'write it to this file (default: stdout)')
    .action(async (opts: { out?: string }) => {
      const [{ asyncApiDocument }, { loadSchemas }] = await Promise.all([import('../gateway/asyncapi.ts'), import('../messaging/schemaCatalog.ts')]);
      const config = await loadConfig();
      const json = `${JSON.stringify(asyncApiDocument(config, loadSchemas(avroDirOf(config))), null, 2)}\n`;
      if (opts.out !== undefined) return fs.writeFileSync(opts.out, json);
      // The CLI exits once the action returns; a pipe takes a large write in parts, so wait for all of it.
      await new Promise<void>((resolve, reject) => process.stdout.write(json, (error) => (error ? reject(error) : resolve())));
    });
}
