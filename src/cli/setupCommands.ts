import path from 'node:path';
import type { Command } from 'commander';
import { readSettings } from '../config/settings.ts';
import { loadConfig } from '../config/streamfoldConfig.ts';
import { positiveInteger } from './arguments.ts';

// The commands import what talks to Postgres, Kafka and the registry when they run, so `--help` starts quickly.
const setup = () => import('../setup.ts');
const schemaCheck = () => import('../schemaCheck.ts');

export function registerSetupCommands(program: Command): void {
  program
    .command('migrate')
    .description('create the database if missing and apply the event log migrations (idempotent)')
    .action(async () => {
      const applied = await (await setup()).migrateEventLog(readSettings());
      console.log(applied.length > 0 ? applied.map((f) => `applied ${f}`).join('\n') : 'the event log is up to date');
    });

  program
    .command('topics')
    .description('manage the topics described in topics/')
    .command('apply')
    .description('create missing topics; report drift (partitions, replication, configs) without changing or deleting anything')
    .option('--replication-factor <n>', 'replicas of every topic (else STREAMFOLD_TOPIC_REPLICATION_FACTOR, the topic file, min(3, brokers))', (v) => positiveInteger('--replication-factor', v))
    .option('--min-insync-replicas <n>', 'min.insync.replicas of every topic (else STREAMFOLD_TOPIC_MIN_INSYNC_REPLICAS, the topic file, 2 from a factor of 3, else 1)', (v) =>
      positiveInteger('--min-insync-replicas', v),
    )
    .action(async (opts: { replicationFactor?: number; minInsyncReplicas?: number }) => {
      const { applyTopicFiles, describeTopicReport } = await setup();
      const report = await applyTopicFiles(readSettings(), await loadConfig(), opts);
      console.log(describeTopicReport(report));
      if (report.drift.length > 0) process.exitCode = 2;
    });

  const schemas = program.command('schemas').description('manage the Avro schemas in avro/');
  schemas
    .command('register')
    .description('register every .avsc under its record full name with BACKWARD_TRANSITIVE compatibility; a breaking change only with an upcaster')
    .action(async () => {
      const results = await (await schemaCheck()).registerWithUpcasters(readSettings(), await loadConfig());
      for (const r of results) {
        if (r.error) console.log(`REFUSED   ${path.relative(process.cwd(), r.file)} (${r.subject}): ${r.error}`);
        else console.log(`ok        ${r.subject} id ${r.id}${r.viaUpcaster ? ' (past the compatibility rule: upcasters read the older versions)' : ''}`);
      }
      if (results.some((r) => r.error)) process.exitCode = 1;
    });
  schemas
    .command('check')
    .description("compare the config's schemas with the registry and with its domains' events in the log: compatible, needs-upcaster or breaking; exit 1 on breaking")
    .action(async () => {
      const results = await (await schemaCheck()).checkSchemas(readSettings(), await loadConfig());
      for (const r of results) {
        console.log(`${r.verdict.toUpperCase().padEnd(15)} ${r.subject}  (${path.relative(process.cwd(), r.file) || r.file})`);
        for (const line of r.details) console.log(`                ${line}`);
      }
      const breaking = results.filter((r) => r.verdict === 'breaking').length;
      console.log(breaking > 0 ? `${breaking} breaking change(s)` : 'no breaking change');
      if (breaking > 0) process.exitCode = 1;
    });
}
