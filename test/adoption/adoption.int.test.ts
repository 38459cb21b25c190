// What a team does to adopt streamfold, done with the package's tarball in folders outside the
// repository: a plain JavaScript service run by the installed CLI against the real stack, and a
// TypeScript service whose config loads through its own tsx and whose decider tests import
// 'streamfold/testing'. The fixtures are test/fixtures/adoption/{js-app,ts-app}.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/settings.ts';
import { withDatabase } from '../../src/stack/postgres.ts';
import { removeIsolated } from '../../src/testing/isolation.ts';
import { projectRoot } from '../support/isolatedPipeline.ts';

const run = promisify(execFile);
const fixtures = path.join(projectRoot, 'test/fixtures/adoption');

/**
 * The environment without what npm puts in it for the `npm test` that started us: a nested npm
 * would read npm_config_local_prefix and install into the repository.
 */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD' && key !== 'STREAMFOLD_CONFIG'));
  return { ...env, ...extra };
}

const npm = (args: string[], cwd: string) => run('npm', args, { cwd, env: cleanEnv(), timeout: 150_000, maxBuffer: 16 * 1024 * 1024 });

/** Copies a fixture project into the work folder and installs the tarball (and its own dependencies). */
async function installApp(fixture: string, work: string, tarball: string): Promise<string> {
  const app = path.join(work, fixture);
  fs.cpSync(path.join(fixtures, fixture), app, { recursive: true });
  await npm(['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
  return app;
}

interface Cli {
  run(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }>;
  /** A long-running command (worker, project); resolves once its output contains `ready`. */
  start(args: string[], ready: string): Promise<ChildProcess>;
}

/** The installed `streamfold` bin of an app, run in the app's folder as `npx streamfold` would. */
function cliOf(app: string, env: NodeJS.ProcessEnv): Cli {
  const bin = path.join(app, 'node_modules/.bin/streamfold');
  return {
    run: (args, extraEnv = {}) => run(process.execPath, [bin, ...args], { cwd: app, env: { ...env, ...extraEnv }, timeout: 90_000 }),
    start: (args, ready) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [bin, ...args], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        const timer = setTimeout(() => reject(new Error(`streamfold ${args.join(' ')} printed no "${ready}" in 60 s:\n${output}`)), 60_000);
        const listen = (chunk: Buffer) => {
          output += chunk;
          if (output.includes(ready)) {
            clearTimeout(timer);
            resolve(child);
          }
        };
        child.stdout.on('data', listen);
        child.stderr.on('data', listen);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`streamfold ${args.join(' ')} exited (${code}) before "${ready}":\n${output}`));
        });
      }),
  };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A failed child's exit code and output, for the commands that are meant to fail. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: 0, stdout: '', stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

describe('a team adopts streamfold from its npm tarball', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'streamfold-adoption-'));
  const suffix = randomBytes(4).toString('hex');
  const settings = readSettings();
  const databaseUrl = withDatabase(settings.databaseUrl, `sf_adoption_${suffix}`);
  let tarball: string;
  let jsApp: string | undefined;
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    // `npm pack` builds dist/ first (prepack), as a publish or an install from git would.
    await npm(['pack', '--pack-destination', work, '--loglevel=error'], projectRoot);
    const packed = fs.readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!packed) throw new Error(`npm pack left no tarball in ${work}`);
    tarball = path.join(work, packed);
  });

  afterAll(async () => {
    await Promise.all(running.map(stop));
    if (jsApp) await removeIsolated(settings, path.join(jsApp, 'topics'), databaseUrl);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('ships JavaScript, types and the migrations, not the sources', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.split('\n').map((f) => f.replace(/^package\//, ''));
    expect(files).toEqual(expect.arrayContaining(['bin/streamfold.mjs', 'dist/index.js', 'dist/index.d.ts', 'dist/index.js.map', 'dist/cli/main.js', 'dist/testing/deciderSpecification.d.ts', 'dist/eventlog/migrations/001_event_log.sql']));
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('runs a plain JavaScript app on the real stack: migrate, topics, schemas, a worker, a projector, send --wait and --wait-for', async () => {
    jsApp = await installApp('js-app', work, tarball);
    // Topics of this run's own: tally.commands becomes tally_<suffix>.commands, as RUN_SUFFIX renames the domain.
    const topicsDir = path.join(jsApp, 'topics');
    for (const file of fs.readdirSync(topicsDir)) {
      const spec = JSON.parse(fs.readFileSync(path.join(topicsDir, file), 'utf8')) as { name: string };
      spec.name = spec.name.replace(/^tally\./, `tally_${suffix}.`);
      fs.rmSync(path.join(topicsDir, file));
      fs.writeFileSync(path.join(topicsDir, `${spec.name}.json`), JSON.stringify(spec, null, 2));
    }
    const cli = cliOf(jsApp, cleanEnv({ DATABASE_URL: databaseUrl, RUN_SUFFIX: `_${suffix}` }));

    expect((await cli.run(['migrate'])).stdout).toContain('applied 001_event_log.sql');
    expect((await cli.run(['topics', 'apply'])).stdout).toContain(`created   tally_${suffix}.commands`);
    expect((await cli.run(['schemas', 'register'])).stdout).toMatch(/ok {8}adoption\.tally\.AddMarks id \d+/);
    running.push(await cli.start(['worker'], 'worker running'), await cli.start(['project'], 'projectors running'));

    const tally = randomUUID();
    const addMarks = (count: number, ...flags: string[]) => ['send', 'AddMarks', '--aggregate', tally, '--data', JSON.stringify({ tally_uuid: tally, count }), '--timeout', '60000', ...flags];
    const accepted = await cli.run(addMarks(3, '--wait'));
    expect(accepted.stdout).toContain('outcome: accepted');
    expect(accepted.stdout).toMatch(/v1 MarksAdded .*"total":3/);

    const refused = await failure(cli.run(addMarks(98, '--wait')));
    expect(refused.code).toBe(3);
    expect(refused.stdout).toContain('outcome: rejected');
    expect(refused.stdout).toMatch(/v2 TallyFull .*"asked":98/);

    const read = await cli.run(addMarks(4, '--wait-for', 'tallies'));
    expect(read.stdout).toContain('outcome: accepted');
    expect(read.stdout).toContain('projection tallies has applied them');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query('select total, additions from tallies.tallies where tally_uuid = $1', [tally]);
      expect(rows).toEqual([{ total: 7, additions: 2 }]);
    } finally {
      await client.end();
    }

    // The uuid logical type of its own .avsc is enforced before anything is sent.
    const notUuid = await failure(cli.run(['send', 'AddMarks', '--aggregate', tally, '--data', JSON.stringify({ tally_uuid: 'nope', count: 1 })]));
    expect(notUuid.code).toBe(1);
    expect(notUuid.stderr).toContain('tally_uuid');

    // A TypeScript config in a project without a TypeScript loader: one line that says what to do.
    fs.writeFileSync(path.join(jsApp, 'typed.config.ts'), "export default { app: 'typed', domains: [] as never[] };\n");
    const noLoader = await failure(cli.run(['status'], { STREAMFOLD_CONFIG: 'typed.config.ts' }));
    expect(noLoader.code).toBe(1);
    expect(noLoader.stderr.trim().split('\n')).toEqual([expect.stringContaining('`npm i -D tsx`')]);
  });

  it('runs a TypeScript app: its config through its own tsx, its decider tests on node:test with streamfold/testing', async () => {
    const tsApp = await installApp('ts-app', work, tarball);
    const tests = await npm(['test'], tsApp);
    expect(tests.stdout).toMatch(/# pass 3\n/);
    expect(tests.stdout).toMatch(/# fail 0\n/);

    // Arguments are checked against the config before anything connects: this proves streamfold.config.ts loaded.
    const cli = cliOf(tsApp, cleanEnv({ DATABASE_URL: databaseUrl }));
    const unknown = await failure(cli.run(['send', 'Nope', '--aggregate', randomUUID(), '--data', '{}']));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('the config has AddMarks');
  });
});
