// What a team does to adopt streamfold, done with the package's tarball in folders outside the
// repository: a plain JavaScript service run by the installed CLI against the real stack, and a
// TypeScript service whose config loads through its own tsx and whose decider tests import
// 'streamfold/testing'. The fixtures are test/fixtures/adoption/{js-app,ts-app}.
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/settings.ts';
import { withDatabase } from '../../src/eventlog/database.ts';
import { removeIsolated } from '../../src/testing/isolation.ts';
import { cleanEnv, cliOf, installApp, npm, packTarball, renameTopics, stop } from './installedApp.ts';

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
    tarball = await packTarball(work);
  });

  afterAll(async () => {
    await Promise.all(running.map(stop));
    if (jsApp) await removeIsolated(settings, path.join(jsApp, 'topics'), databaseUrl);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('ships JavaScript, types and the migrations, not the sources nor the demo app', async () => {
    const { stdout } = await promisify(execFile)('tar', ['-tzf', tarball]);
    const files = stdout.split('\n').map((f) => f.replace(/^package\//, ''));
    expect(files).toEqual(expect.arrayContaining(['bin/streamfold.mjs', 'dist/index.js', 'dist/index.d.ts', 'dist/index.js.map', 'dist/cli/main.js', 'dist/testing/deciderSpecification.d.ts', 'dist/eventlog/migrations/001_event_log.sql']));
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    expect(files.filter((f) => f.startsWith('demo/') || f.startsWith('avro/') || f.startsWith('topics/') || f.includes('/domain/') || f === 'streamfold.config.ts')).toEqual([]);
  });

  it('runs a plain JavaScript app on the real stack: migrate, topics, schemas, a worker, a projector, send --wait and --wait-for', async () => {
    jsApp = await installApp('js-app', work, tarball);
    // Topics of this run's own: tally.commands becomes tally_<suffix>.commands, as RUN_SUFFIX renames the domains.
    renameTopics(jsApp, suffix);
    const cli = cliOf(jsApp, cleanEnv({ DATABASE_URL: databaseUrl, RUN_SUFFIX: `_${suffix}` }));

    expect((await cli.run(['migrate'])).stdout).toContain('applied 001_event_log.sql');
    const topics = (await cli.run(['topics', 'apply'])).stdout;
    expect(topics).toContain(`created   tally_${suffix}.commands`);
    expect(topics).toContain(`created   label_${suffix}.events`);
    const schemas = (await cli.run(['schemas', 'register'])).stdout;
    expect(schemas).toMatch(/ok {8}adoption\.tally\.AddMarks id \d+/);
    expect(schemas).toMatch(/ok {8}adoption\.label\.SetLabel id \d+/);
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

    // A second domain added by its folder, .avsc and topic files and two lines of config, with revisions by configuration.
    const label = randomUUID();
    const setLabel = (text: string, ...flags: string[]) => ['send', 'SetLabel', '--aggregate', label, '--data', JSON.stringify({ label_uuid: label, text }), '--timeout', '60000', ...flags];
    expect((await cli.run(setLabel('draft', '--wait'))).stdout).toContain('outcome: accepted');
    expect((await failure(cli.run(setLabel('draft', '--wait')))).stdout).toContain('outcome: rejected');
    expect((await cli.run(setLabel('final', '--wait-for', 'revisions'))).stdout).toContain('projection revisions has applied them');
    const revisions = (await cli.run(['revisions', 'label', label])).stdout;
    expect(revisions).toContain(`label ${label}: 2 revisions`);
    expect(revisions).toMatch(/v1 LabelSet .*\{"text":"draft"\}/);
    expect(revisions).toMatch(/v3 LabelSet .*\{"text":"final"\}/);
    expect((await cli.run(['revisions', 'label', label, '--diff', '1', '3'])).stdout).toContain('text: "draft" → "final"');

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
