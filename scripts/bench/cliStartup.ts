// The `cli` scenario: how long the CLI installed from the package's tarball takes to start, beside
// bare Node and the repository's own bin (the sources through tsx) in the same run.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSettings } from '../../src/config/settings.ts';
import { withDatabase } from '../../src/eventlog/database.ts';
import { removeIsolated } from '../../src/testing/isolation.ts';
import { cleanEnv, cliOf, installApp, packTarball, renameTopics } from '../../test/adoption/installedApp.ts';
import { projectRoot } from '../../test/support/isolatedPipeline.ts';
import { median } from './stats.ts';

export interface InstalledApp {
  readonly app: string;
  readonly bin: string;
  readonly env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/** The adoption test's JavaScript app, installed from a fresh tarball, its event log migrated and its topics and schemas in place. */
export async function installedApp(): Promise<InstalledApp> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'streamfold-bench-cli-'));
  const suffix = randomBytes(4).toString('hex');
  const settings = readSettings();
  const databaseUrl = withDatabase(settings.databaseUrl, `sf_bench_cli_${suffix}`);
  const app = await installApp('js-app', folder, await packTarball(folder));
  renameTopics(app, suffix);
  const env = cleanEnv({ DATABASE_URL: databaseUrl, RUN_SUFFIX: `_${suffix}` });
  const cli = cliOf(app, env);
  for (const args of [['migrate'], ['topics', 'apply'], ['schemas', 'register']]) await cli.run(args);
  return {
    app,
    bin: cli.bin,
    env,
    cleanup: async () => {
      await removeIsolated(settings, path.join(app, 'topics'), databaseUrl);
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Median wall time of `times` runs of `node <args>` in `cwd`, in ms; a run that fails stops the bench. */
function medianMs(args: string[], cwd: string, env: NodeJS.ProcessEnv, times: number): number {
  const durations: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8' });
    durations.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return median(durations);
}

/** One run of the scenario: each command timed `times` times, medians in ms. */
export function cliTimings(installed: InstalledApp, times: number): Record<string, number> {
  const { app, bin, env } = installed;
  return {
    node: medianMs(['-e', '0'], app, env, times),
    help: medianMs([bin, '--help'], app, env, times),
    status: medianMs([bin, 'status'], app, env, times),
    sourcesHelp: medianMs([path.join(projectRoot, 'bin/streamfold.mjs'), '--help'], projectRoot, env, times),
  };
}
