import type { Command } from 'commander';
import { readSettings } from '../config/settings.ts';
import { loadConfig, type StreamfoldConfig } from '../config/streamfoldConfig.ts';
import type { Projection } from '../core/index.ts';
import { cutoverDefaults } from '../projection/cutoverDefaults.ts';
import { isProjectionVersionError, ProjectionVersionError } from '../projection/errors.ts';
import { projectionGroupOf, schemaOf, stableSchemaOf } from '../projection/names.ts';
import { diffContent, pickRevisions } from '../projection/revisionHistory.ts';
import { isRevisionsProjection, listRevisions, type RevisionsProjection } from '../projection/revisions.ts';
import type { Verification } from '../projection/verify.ts';
import type { Runtime } from '../runtime.ts';
import { formatTable } from './format.ts';
import { shown } from './arguments.ts';
import { UsageError } from './usageError.ts';
import { exitWhenStuck } from './pipelineCommands.ts';

// Each command imports what talks to Postgres and Kafka when it runs, so `--help` starts quickly.
const eventLog = () => import('../eventlog/index.ts');
const versions = () => import('../projection/versions.ts');
const progressBar = () => import('../projection/replayProgress.ts');

/** Exit code of a verification that found differences (a refusal exits with 1). */
const DIFFERS = 2;
/** Partitions a replay applies at once unless told: measured twice as fast as one on two cores (docs/benchmarks.md). */
const REPLAY_PARTITIONS = 4;

/** Refusals print their reason and what to run, without a stack; anything else is a bug and keeps it. */
const refusing =
  <A extends unknown[]>(action: (...args: A) => Promise<void>) =>
  async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      if (!isProjectionVersionError(error)) throw error;
      console.error(`streamfold: ${error.message}`);
      process.exitCode = 1;
    }
  };

function projectionNamed(config: StreamfoldConfig, name: string): Projection {
  const found = config.projections.find((p) => p.name === name);
  if (!found) {
    throw new ProjectionVersionError('UNKNOWN_PROJECTION', `no projection named ${name}; the config has ${config.projections.map((p) => p.name).join(', ') || 'none'}`);
  }
  return found;
}

/** The config's revisions projection: the one named, or its only one. */
function revisionsProjectionOf(config: StreamfoldConfig, name: string | undefined): RevisionsProjection {
  const kept = config.projections.filter(isRevisionsProjection);
  const found = name === undefined ? (kept.length === 1 ? kept[0] : undefined) : kept.find((p) => p.name === name);
  if (found) return found;
  const names = kept.map((p) => p.name).join(', ');
  if (name !== undefined && kept.length > 0) throw new ProjectionVersionError('UNKNOWN_PROJECTION', `${name} is not a revisions projection; the config's are: ${names}`);
  if (kept.length > 1) throw new ProjectionVersionError('BAD_ARGUMENT', `the config has ${kept.length} revisions projections (${names}): name one with --projection`);
  throw new ProjectionVersionError('UNKNOWN_PROJECTION', 'the config keeps no revisions: list the domains in defineRevisionsProjection({ domains }) among its projections');
}

function versionNumber(raw: string | undefined, fallback?: number): number {
  if (raw === undefined && fallback !== undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ProjectionVersionError('BAD_ARGUMENT', `--version ${raw} is not a version: give a whole number from 1`);
  return value;
}

function positive(option: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ProjectionVersionError('BAD_ARGUMENT', `${option} ${raw} is not a whole number from 1`);
  return value;
}

async function withRuntime(role: string, work: (runtime: Runtime, config: StreamfoldConfig) => Promise<void>): Promise<void> {
  const config = await loadConfig();
  const { openRuntime } = await import('../runtime.ts');
  const runtime = await openRuntime(config, role);
  try {
    await work(runtime, config);
  } finally {
    await runtime.close();
  }
}

/** Resolves on SIGINT or SIGTERM; `signalled()` says whether one came. */
function untilSignal() {
  let signalled = false;
  const promise = new Promise<void>((resolve) => {
    const stop = () => {
      signalled = true;
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return { promise, signalled: () => signalled };
}

function printVerification(v: Verification, verifyGraceMs: number): void {
  console.log(`verify ${v.projection} v${v.version}: ${v.eventsFolded} events folded again from the event log (${v.leftOut} left out as skipped or parked, ${v.notYetProjected} not yet projected)`);
  for (const t of v.tables) {
    const side = (d: { rows: number; checksum: string }) => `${d.rows} rows, checksum ${d.checksum.slice(0, 12)}`;
    console.log(`  ${t.table.padEnd(16)} version ${side(t.version)} | fold ${side(t.fold)} | ${t.equal ? 'equal' : 'DIFFERENT'}`);
    for (const row of t.onlyInVersion) console.log(`    only in v${v.version}: ${JSON.stringify(row)}`);
    for (const row of t.onlyInFold) console.log(`    only in the fold: ${JSON.stringify(row)}`);
  }
  for (const gap of v.gaps) console.log(`  missing: aggregate ${gap.aggregateUuid} version ${gap.missingVersion} was never applied, though a later version was`);
  if (v.foldError) console.log(`  ${v.foldError}`);
  if (v.neverApplied > 0) {
    console.log(
      `  ${v.neverApplied} events recorded more than ${verifyGraceMs / 1000} s ago were never applied. If the replay is still catching up, verify again later; ` +
        `if it has caught up, its topics no longer hold them: build from the log with streamfold replay ${v.projection} --version ${v.version} --source eventlog`,
    );
  }
}

/** The read database `projection skip|resume` acts on: `--database` on the DATABASE_URL server, else STREAMFOLD_READ_DATABASE_URL, else the event log's. */
async function readDatabaseUrl(database: string | undefined): Promise<string> {
  const { withDatabase } = await import('../eventlog/database.ts');
  const settings = readSettings();
  if (database === undefined) return process.env.STREAMFOLD_READ_DATABASE_URL || settings.databaseUrl;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new UsageError(`--database ${shown(database)} is not a plain Postgres name (lower-case letters, digits and _)`);
  return withDatabase(settings.databaseUrl, database);
}

/** `projection skip|resume <name> [--version N] [--database D]`: clears the halt of one version, the live one unless told. */
async function clearHaltCommand(action: 'skip' | 'resume', name: string, opts: { version?: string; database?: string }): Promise<void> {
  const config = await loadConfig();
  const projection = config.projections.find((p) => p.name === name);
  if (!projection) throw new UsageError(`no projection named ${shown(name)}; the config has ${config.projections.map((p) => p.name).join(', ') || 'none'}`);
  if (opts.version !== undefined && !/^[1-9]\d{0,8}$/.test(opts.version)) throw new UsageError(`--version ${shown(opts.version)} is not a version: give a whole number from 1`);
  const [{ createPool }, { clearHalt, haltTarget }] = await Promise.all([eventLog(), import('../projection/clearHalt.ts')]);
  const pool = createPool(await readDatabaseUrl(opts.database), 2);
  try {
    const target = await haltTarget(pool, projection, opts.version === undefined ? undefined : Number(opts.version)).catch((error: unknown) => {
      // 3D000: the database named does not exist.
      if ((error as { code?: string }).code === '3D000') throw new UsageError(`--database ${opts.database ?? ''}: ${(error as Error).message}`);
      throw error;
    });
    if ('refusal' in target) throw new UsageError(target.refusal);
    const cleared = await clearHalt(pool, projection, target.version, action);
    const which = `${name} v${target.version} (${target.status})${opts.database ? ` in ${opts.database}` : ''}`;
    if (cleared === 0) console.log(`${which} is not halted; nothing changed`);
    else console.log(action === 'skip' ? `${which}: skipped the halted event; it goes on` : `${which}: resumed; the halted event will be retried`);
  } finally {
    await pool.end();
  }
}

function registerHaltCommands(program: Command): void {
  const projection = program.command('projection').description('clear the halt of a projection version: skip its halting event, or retry it');
  const versionHelp = 'the version (default: the live one, else the one the code declares); `streamfold status` names the halted ones';
  const databaseHelp = 'the read database on the DATABASE_URL server, e.g. one `rebuild --database` is building (default: STREAMFOLD_READ_DATABASE_URL, else the event log\'s)';
  projection
    .command('resume <name>')
    .description('retry the event that halted the version')
    .option('--version <n>', versionHelp)
    .option('--database <name>', databaseHelp)
    .action((name: string, opts: { version?: string; database?: string }) => clearHaltCommand('resume', name, opts));
  projection
    .command('skip <name>')
    .description('mark the halting event as projected without applying it, and go on (a replay of another version skips it too)')
    .option('--version <n>', versionHelp)
    .option('--database <name>', databaseHelp)
    .action((name: string, opts: { version?: string; database?: string }) => clearHaltCommand('skip', name, opts));
}

export function registerProjectionVersionCommands(program: Command): void {
  registerHaltCommands(program);

  program
    .command('replay <projection>')
    .description('build a projection version from offset zero beside the live one, with progress; keeps consuming until Ctrl-C')
    .option('--version <n>', "the version to build (default: the one the code declares); another number rebuilds the same code, e.g. after a fix")
    .option('--source <source>', 'kafka: the event topics; eventlog: the Postgres event log first (a topic that lost old events), then the topics', 'kafka')
    .option('--partitions-concurrently <n>', 'partitions applied at once, each in its own transactions: a replay waits on Postgres round trips, so overlapping them is faster', String(REPLAY_PARTITIONS))
    .action(
      refusing(async (name: string, opts: { version?: string; source: string; partitionsConcurrently: string }) =>
        withRuntime('replay', async (runtime, config) => {
          const projection = projectionNamed(config, name);
          const version = versionNumber(opts.version, projection.version);
          const partitionsConcurrently = positive('--partitions-concurrently', opts.partitionsConcurrently);
          if (opts.source !== 'kafka' && opts.source !== 'eventlog') {
            throw new ProjectionVersionError('BAD_ARGUMENT', `--source ${opts.source} is not a source: give kafka (the event topics) or eventlog (the Postgres event log)`);
          }
          const label = `${name} v${version}`;
          const signal = untilSignal();
          const [{ createLogger }, { replayProgress }, { replayFromEventLog }, { appliedSoFar, watchCatchUp }, { startProjector }, { liveVersion }, { faultHooksFromEnv }] = await Promise.all([
            import('../logger.ts'),
            progressBar(),
            import('../projection/replayFromEventLog.ts'),
            import('../projection/catchUp.ts'),
            import('../projection/projector.ts'),
            versions(),
            import('./faultHooks.ts'),
          ]);
          const log = createLogger('projector').info;

          if (opts.source === 'eventlog') {
            const progress = replayProgress(`${label} from the event log`);
            const started = Date.now();
            const { applied } = await replayFromEventLog(runtime, projection, { version, log, onProgress: progress.update, stopping: signal.signalled });
            const seconds = (Date.now() - started) / 1000;
            progress.finish(`${label}: read ${applied} events from the event log in ${seconds.toFixed(1)} s (${Math.round(applied / Math.max(seconds, 0.001))} events/s); now following the topics, where what was applied is skipped`);
            if (signal.signalled()) return console.log(`stopped ${label}; run the same command to go on`);
          }

          const before = await appliedSoFar(runtime, [{ projection, version }]);
          const running = await startProjector(runtime, projection, { version, log, partitionsConcurrently, onStuck: exitWhenStuck(log), faultHooks: await faultHooksFromEnv() });
          const live = await liveVersion(runtime.readPool, name);
          const role = running.status === 'live' ? 'live: readers see it' : `replaying beside the live v${live?.version ?? '?'}`;
          console.log(`${label} (${role}): consumer group ${projectionGroupOf(config.app, { name, version }, runtime.readDatabase)}, schema ${schemaOf({ name, version })}`);
          if (before.applied > 0n) console.log(`${label} resumes at ${before.applied} of ${before.total} events, from its committed offsets`);
          try {
            const progress = replayProgress(label);
            const caughtUp = await watchCatchUp(runtime, [{ projection, version }], progress.update, { stopping: signal.signalled });
            if (caughtUp) {
              const watched = caughtUp.applied - caughtUp.appliedAtStart;
              const rate = watched > 0n ? ` (${watched} in ${caughtUp.seconds.toFixed(1)} s, ${Math.round(caughtUp.rate)} events/s)` : '';
              progress.finish(
                `${label} caught up with the head: ${caughtUp.applied} events applied${rate}. It keeps consuming live events; Ctrl-C stops it, and the same command resumes it.`,
              );
              if (running.status !== 'live') console.log(`next: streamfold verify ${name} --version ${version}`);
              await signal.promise;
            }
          } finally {
            await running.stop();
          }
          console.log(`stopped ${label}; its offsets are committed, so the same command resumes it`);
        }),
      ),
    );

  program
    .command('verify <projection>')
    .description("compare a version's rows with a fold of the Postgres event log: row counts and checksums per table, the first differing rows; exit 2 when they differ")
    .option('--version <n>', 'the version to verify (default: the one the code declares)')
    .action(
      refusing(async (name: string, opts: { version?: string }) =>
        withRuntime('verify', async (runtime, config) => {
          const projection = projectionNamed(config, name);
          const version = versionNumber(opts.version, projection.version);
          const [{ verifyGraceMs, verifyVersion }, { liveVersion }] = await Promise.all([import('../projection/verify.ts'), versions()]);
          const verification = await verifyVersion(runtime, projection, version);
          printVerification(verification, verifyGraceMs);
          const live = await liveVersion(runtime.readPool, name);
          if (verification.passed) {
            const next = live?.version === version ? '' : ` Next: streamfold cutover ${name} --version ${version}`;
            console.log(`PASSED: ${name} v${version} equals the fold of the events it has applied.${next}`);
          } else {
            console.log(`FAILED: ${name} v${version} differs from the fold of the event log; a cutover to it is refused.`);
            process.exitCode = DIFFERS;
          }
        }),
      ),
    );

  program
    .command('cutover <projection>')
    .description('point readers (the views in the schema named after the projection) at a verified, caught-up version, in one transaction')
    .requiredOption('--version <n>', 'the version to make live')
    .option('--max-lag <events>', 'events the version may still have to apply from the head of its topics', String(cutoverDefaults.maxLag))
    .option('--wait <ms>', 'how long to wait for it to reach the live version on every partition', String(cutoverDefaults.waitMs))
    .action(
      refusing(async (name: string, opts: { version: string; maxLag: string; wait: string }) =>
        withRuntime('cutover', async (runtime, config) => {
          const projection = projectionNamed(config, name);
          const version = versionNumber(opts.version);
          if (!/^\d+$/.test(opts.maxLag)) throw new ProjectionVersionError('BAD_ARGUMENT', `--max-lag ${opts.maxLag} is not a number of events`);
          if (!/^\d+$/.test(opts.wait)) throw new ProjectionVersionError('BAD_ARGUMENT', `--wait ${opts.wait} is not a number of milliseconds`);
          const { cutover } = await import('../projection/cutover.ts');
          const result = await cutover(runtime, projection, version, { maxLag: BigInt(opts.maxLag), waitMs: Number(opts.wait) });
          if (result.alreadyLive) return console.log(`${name} v${version} is already live; nothing changed`);
          console.log(`${name}: readers now see v${version} (the views in schema ${stableSchemaOf(projection)} read ${schemaOf({ name, version })}).`);
          if (result.from !== undefined) console.log(`v${result.from} keeps consuming until you run: streamfold retire ${name} --version ${result.from}`);
        }),
      ),
    );

  program
    .command('retire <projection>')
    .description("drop a version readers no longer use: its consumer group, schema and bookkeeping rows (the live version is refused)")
    .requiredOption('--version <n>', 'the version to retire')
    .action(
      refusing(async (name: string, opts: { version: string }) =>
        withRuntime('retire', async (runtime, config) => {
          const projection = projectionNamed(config, name);
          const version = versionNumber(opts.version);
          const { retireVersion } = await import('../projection/retire.ts');
          const outcome = await retireVersion(runtime, projection, version);
          console.log(
            outcome === 'retired'
              ? `retired ${name} v${version}: consumer group ${projectionGroupOf(config.app, { name, version }, runtime.readDatabase)} deleted, schema ${schemaOf({ name, version })} dropped`
              : `${name} v${version} was already retired`,
          );
        }),
      ),
    );

  program
    .command('versions [projection]')
    .description('the recorded versions of each projection: status, verification, since when live')
    .action(
      refusing(async (name: string | undefined) =>
        withRuntime('versions', async (runtime, config) => {
          if (name) projectionNamed(config, name);
          const rows = await (await versions()).listVersions(runtime.readPool, name);
          const when = (d: Date | null) => d?.toISOString() ?? '';
          console.log(
            formatTable(
              rows.map((v) => ({
                projection: v.projection,
                version: v.version,
                status: v.status,
                verified: when(v.verified_at),
                'live since': when(v.live_since),
                retired: when(v.retired_at),
              })),
            ),
          );
        }),
      ),
    );

  program
    .command('rebuild')
    .description('build every projection into a new read database from offset zero, verify it, and print the URL to switch readers to')
    .requiredOption('--database <name>', 'the new database, e.g. nawhas_v3_1_2 (on the DATABASE_URL server)')
    .option('--replace', 'drop the database first if it exists (refused otherwise)')
    .option('--partitions-concurrently <n>', 'partitions each projection applies at once', String(REPLAY_PARTITIONS))
    .action(
      refusing(async (opts: { database: string; replace?: boolean; partitionsConcurrently: string }) => {
        const config = await loadConfig();
        const signal = untilSignal();
        const [{ replayProgress }, { rebuildReadDatabase }, { verifyGraceMs }] = await Promise.all([progressBar(), import('../projection/rebuild.ts'), import('../projection/verify.ts')]);
        const progress = replayProgress(`rebuild ${opts.database}`);
        const result = await rebuildReadDatabase(readSettings(), config, opts.database, {
          replace: opts.replace,
          partitionsConcurrently: positive('--partitions-concurrently', opts.partitionsConcurrently),
          onProgress: progress.update,
          log: (line) => console.log(line),
          stopping: signal.signalled,
        });
        if (!result) return console.log(`stopped; ${opts.database} is incomplete: run the same command with --replace to build it again`);
        const { catchUp } = result;
        progress.finish(`replayed ${catchUp.applied} events into ${result.database} in ${catchUp.seconds.toFixed(1)} s (${Math.round(catchUp.rate)} events/s)`);
        for (const verification of result.verifications) printVerification(verification, verifyGraceMs);
        if (result.verifications.some((v) => !v.passed)) {
          console.log(`FAILED: ${result.database} differs from the fold of the event log; do not switch to it`);
          process.exitCode = DIFFERS;
          return;
        }
        console.log(`PASSED: every projection in ${result.database} equals the fold of the event log.`);
        console.log(`switch readers to: ${result.url}`);
        console.log(`keep it current:   STREAMFOLD_READ_DATABASE_URL=${result.url} streamfold project`);
      }),
    );

  program
    .command('revisions <entity> <uuid>')
    .description("an entity's revisions (of the domains a defineRevisionsProjection lists): its whole content after each change; --diff shows what changed between two")
    .option('--diff <versions...>', 'two revision versions to compare, e.g. --diff 1 3')
    .option('--projection <name>', 'the revisions projection to read, when the config has more than one')
    .action(
      refusing(async (entity: string, uuid: string, opts: { diff?: string[]; projection?: string }) => {
        const projection = revisionsProjectionOf(await loadConfig(), opts.projection);
        if (opts.diff && (opts.diff.length !== 2 || !opts.diff.every((v) => /^\d+$/.test(v)))) {
          throw new ProjectionVersionError('BAD_ARGUMENT', `--diff takes two revision versions, e.g. --diff 1 3; got ${opts.diff.join(' ')}`);
        }
        const { createPool } = await eventLog();
        const pool = createPool(process.env.STREAMFOLD_READ_DATABASE_URL || readSettings().databaseUrl, 2);
        try {
          const revisions = await listRevisions(pool, projection, entity, uuid);
          if (revisions.length === 0) {
            console.log(`no revisions of ${entity} ${uuid}`);
            process.exitCode = 1;
            return;
          }
          if (!opts.diff) {
            console.log(`${entity} ${uuid}: ${revisions.length} revisions`);
            for (const r of revisions) console.log(`  v${r.version} ${r.event_type.padEnd(22)} ${r.created_at.toISOString()} ${JSON.stringify(r.content)}`);
            return;
          }
          const [a, b] = pickRevisions(revisions, BigInt(opts.diff[0] as string), BigInt(opts.diff[1] as string));
          const changes = diffContent(a.content, b.content);
          console.log(`${entity} ${uuid} v${a.version} (${a.event_type}) → v${b.version} (${b.event_type}): ${changes.length === 0 ? 'no field changed' : `${changes.length} field${changes.length === 1 ? '' : 's'} changed`}`);
          for (const c of changes) console.log(`  ${c.field}: ${JSON.stringify(c.before) ?? '(absent)'} → ${JSON.stringify(c.after) ?? '(absent)'}`);
        } finally {
          await pool.end();
        }
      }),
    );
}
