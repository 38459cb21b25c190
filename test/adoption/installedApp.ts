// A fixture project with streamfold installed from its tarball, outside the repository: what the
// adoption test drives, and what the bench's `cli` scenario times.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../support/isolatedPipeline.ts';

const run = promisify(execFile);
const fixtures = path.join(projectRoot, 'test/fixtures/adoption');

/**
 * The environment without what npm puts in it for the `npm test` that started us: a nested npm
 * would read npm_config_local_prefix and install into the repository.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD' && key !== 'STREAMFOLD_CONFIG'));
  return { ...env, ...extra };
}

export const npm = (args: string[], cwd: string) => run('npm', args, { cwd, env: cleanEnv(), timeout: 150_000, maxBuffer: 16 * 1024 * 1024 });

/** `npm pack` of the repository into `folder`, which builds dist/ first (the prepare script), as a publish or an install from git would. */
export async function packTarball(folder: string): Promise<string> {
  await npm(['pack', '--pack-destination', folder, '--loglevel=error'], projectRoot);
  const packed = fs.readdirSync(folder).find((f) => f.endsWith('.tgz'));
  if (!packed) throw new Error(`npm pack left no tarball in ${folder}`);
  return path.join(folder, packed);
}

/** Copies a fixture project (js-app, ts-app) into `folder` and installs the tarball and the project's own dependencies. */
export async function installApp(fixture: string, folder: string, tarball: string): Promise<string> {
  const app = path.join(folder, fixture);
  fs.cpSync(path.join(fixtures, fixture), app, { recursive: true });
  await npm(['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
  return app;
}

/** An app's topic files renamed <domain>_<suffix>.* (tally.commands → tally_<suffix>.commands), as its config renames its domains when RUN_SUFFIX=_<suffix>. */
export function renameTopics(app: string, suffix: string): void {
  const topicsDir = path.join(app, 'topics');
  for (const file of fs.readdirSync(topicsDir)) {
    const spec = JSON.parse(fs.readFileSync(path.join(topicsDir, file), 'utf8')) as { name: string };
    spec.name = spec.name.replace(/^([^.]+)\./, `$1_${suffix}.`);
    fs.rmSync(path.join(topicsDir, file));
    fs.writeFileSync(path.join(topicsDir, `${spec.name}.json`), JSON.stringify(spec, null, 2));
  }
}

export interface InstalledCli {
  readonly bin: string;
  run(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }>;
  /** A long-running command (worker, project); resolves once its output contains `ready`. */
  start(args: string[], ready: string): Promise<ChildProcess>;
}

/** The installed `streamfold` bin of an app, run in the app's folder as `npx streamfold` would. */
export function cliOf(app: string, env: NodeJS.ProcessEnv): InstalledCli {
  const bin = path.join(app, 'node_modules/.bin/streamfold');
  return {
    bin,
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

export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
