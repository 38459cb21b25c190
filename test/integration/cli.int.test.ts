import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnStreamfold, waitForOutput, type Child } from '../support/childProcesses.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { rawKafka } from '../support/rawKafka.ts';

describe('the streamfold CLI on a running pipeline', () => {
  let pipeline: IsolatedPipeline;
  let worker: Child;

  const run = async (...args: string[]) => {
    const child = spawnStreamfold(args, pipeline.childEnv);
    const code = await child.exited;
    return { code, output: child.output() };
  };

  beforeAll(async () => {
    pipeline = await isolatedPipeline('cli');
    worker = spawnStreamfold(['worker'], pipeline.childEnv);
    await waitForOutput(worker, 'worker running');
  });

  afterAll(async () => {
    worker?.process.kill('SIGTERM');
    await worker?.exited;
    await pipeline?.cleanup();
  });

  /** Offsets of the roster command topic, to show that a refused send produced nothing. */
  const commandOffsets = async () => {
    const admin = rawKafka(pipeline.runtime).admin();
    await admin.connect();
    try {
      return await admin.fetchTopicOffsets(`${pipeline.named('roster')}.commands`);
    } finally {
      await admin.disconnect();
    }
  };

  it('refuses a command that does not fit its schema, naming every failing field, and produces nothing', async () => {
    const before = await commandOffsets();
    const { code, output } = await run('send', 'EnrollStudent', '--aggregate', randomUUID(), '--data', '{"roster_uuid": 5, "colour": "red"}');
    expect(code).toBe(1);
    expect(output).toContain('EnrollStudent was refused before anything was sent');
    for (const field of ['roster_uuid: 5 ', 'student_uuid: missing', 'period_uuid: missing', 'colour: not a field of EnrollStudent']) {
      expect(output).toContain(field);
    }
    expect(await commandOffsets()).toEqual(before);
  });

  describe('bad input: one line on stderr and exit 2, before anything touches Postgres or Kafka', () => {
    const uuid = randomUUID();
    const send = (...more: string[]) => ['send', 'AddPeriod', '--aggregate', uuid, '--data', '{}', ...more];
    const cases: [args: string[], says: string][] = [
      [['stream', 'nope'], '<aggregate uuid>: "nope" is not a uuid'],
      [['stream', uuid, '--at', 'yesterday'], '--at yesterday is neither a version'],
      [['command', 'nope'], '<command uuid>: "nope" is not a uuid'],
      [['send', 'AddPeriod', '--aggregate', 'not-a-uuid', '--data', '{}'], '--aggregate: "not-a-uuid" is not a uuid'],
      [send('--command-uuid', '42'), '--command-uuid: "42" is not a uuid'],
      [send('--correlation-id', 'x'), '--correlation-id: "x" is not a uuid'],
      [['send', 'AddPeriod', '--aggregate', uuid, '--data', '{bad json'], "--data is not JSON: Expected property name or '}' in JSON at position 1"],
      [['send', 'AddPeriod', '--aggregate', uuid, '--data', '[1]'], '--data is not a JSON object'],
      [['send', 'AddPeriod', '--aggregate', uuid, '--data', '@/nonexistent/period.json'], '--data @/nonexistent/period.json cannot be read: ENOENT'],
      [send('--wait-for', 'nosuch'), '--wait-for: no projection named "nosuch"; the config has'],
      [send('--timeout', '0'), '--timeout: "0" is not a whole number from 1'],
      [send('--timeout', 'soon'), '--timeout: "soon" is not a whole number from 1'],
      [['send', 'EnrolStudent', '--aggregate', uuid, '--data', '{}'], '<CommandType>: no command type named "EnrolStudent"; the config has AddPeriod, EnrollStudent'],
      [['send', 'AddPeriod', '--data', '{}'], "required option '--aggregate <uuid>' not specified"],
      [['worker', '--domains', 'nosuch'], '--domains: no domain named "nosuch"'],
      [['project', '--projection', 'nosuch'], '--projection: no projection named "nosuch"'],
      [['react', '--reactor', 'nosuch'], '--reactor: no reactor named "nosuch"'],
    ];

    /** Stdout and stderr apart; Postgres, Kafka and the registry on a closed port, so touching one fails otherwise. */
    const runRefused = async (args: string[]) => {
      const nowhere = { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none', KAFKA_BROKERS: '127.0.0.1:9', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9/apis/ccompat/v7', STREAMFOLD_START_TIMEOUT_MS: '3000' };
      const child = spawn(process.execPath, [path.join(projectRoot, 'bin/streamfold.mjs'), ...args], { env: { ...pipeline.childEnv, ...nowhere }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { code, stdout, stderr };
    };

    it.each(cases)('streamfold %j', async (args, says) => {
      const { code, stdout, stderr } = await runRefused(args);
      expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
      expect(stderr).toMatch(/^streamfold: [^\n]+\n$/);
      expect(stderr).toContain(says);
      expect(stderr).not.toContain('    at ');
    });

    it('sends nothing when --wait-for names no projection', async () => {
      const before = await commandOffsets();
      const commandUuid = randomUUID();
      const roster = randomUUID();
      const data = JSON.stringify({ roster_uuid: roster, period_uuid: randomUUID(), name: 'Homeroom' });
      const { code, output } = await run('send', 'AddPeriod', '--aggregate', roster, '--data', data, '--command-uuid', commandUuid, '--wait-for', 'nosuch');
      expect(code).toBe(2);
      expect(output).toContain(`--wait-for: no projection named "nosuch"; the config has ${pipeline.named('roster_view')}`);
      expect(await commandOffsets()).toEqual(before);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const { rows } = await pipeline.runtime.pool.query('select 1 from processed_commands where command_uuid = $1', [commandUuid]);
      expect(rows).toEqual([]);
    });
  });

  it('prints a failure on one line, its stack only at STREAMFOLD_LOG_LEVEL=debug', async () => {
    const closed = { ...pipeline.childEnv, DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none' };
    const quiet = spawnStreamfold(['stream', randomUUID()], closed);
    expect(await quiet.exited).toBe(1);
    expect(quiet.output()).toMatch(/^streamfold: .*ECONNREFUSED.*\n$/);
    const debug = spawnStreamfold(['stream', randomUUID()], { ...closed, STREAMFOLD_LOG_LEVEL: 'debug' });
    expect(await debug.exited).toBe(1);
    expect(debug.output()).toContain('    at ');
  });

  it('sends with --wait, reads data from @file, and prints the audit trail and the command', async () => {
    const roster = randomUUID();
    const period = randomUUID();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sf-cli-')), 'period.json');
    fs.writeFileSync(file, JSON.stringify({ roster_uuid: roster, period_uuid: period, name: 'Homeroom' }));
    const added = await run('send', 'AddPeriod', '--aggregate', roster, '--data', `@${file}`, '--wait', '--issued-by', 'ms.frizzle');
    expect(added.code).toBe(0);
    expect(added.output).toContain('outcome: accepted');
    expect(added.output).toMatch(/v1 PeriodAdded .*"name":"Homeroom"/);
    const commandUuid = added.output.split('\n')[0]?.trim() as string;

    const refused = await run('send', 'EnrollStudent', '--aggregate', roster, '--data', JSON.stringify({ roster_uuid: roster, student_uuid: randomUUID(), period_uuid: randomUUID() }), '--wait');
    expect(refused.code).toBe(3);
    expect(refused.output).toContain('outcome: rejected (UnknownPeriod)');

    const stream = await run('stream', roster);
    expect(stream.code).toBe(0);
    expect(stream.output).toContain(`Roster ${roster}, 2 events`);
    expect(stream.output).toContain(`← AddPeriod ${commandUuid}`);
    expect(stream.output).toMatch(/v2 UnknownPeriod/);

    const command = await run('command', commandUuid);
    expect(command.output).toContain(`AddPeriod ${commandUuid} → Roster ${roster}`);
    expect(command.output).toContain('outcome accepted');
    expect(command.output).toContain('"issuedBy":"ms.frizzle"');

    const missing = await run('command', randomUUID());
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('has not been processed');
  });

  it('shows lag per partition, outcomes and dead letters in status', async () => {
    const { code, output } = await run('status');
    expect(code).toBe(0);
    expect(output).toContain(`${pipeline.config.app}.aggregates`);
    expect(output).toMatch(new RegExp(`${pipeline.named('roster')}\\.commands\\[\\d\\] committed \\d+ end \\d+ lag 0`));
    expect(output).toMatch(/accepted\s+1/);
    expect(output).toContain(`${pipeline.named('roster')}.commands.dlq`);
  });
});
