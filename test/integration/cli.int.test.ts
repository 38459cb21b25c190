import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnStreamfold, waitForOutput, type Child } from '../support/childProcesses.ts';
import { isolatedPipeline, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

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

  it('refuses a command that does not fit its schema, naming every failing field, and produces nothing', async () => {
    const topic = `${pipeline.named('roster')}.commands`;
    const admin = pipeline.runtime.kafka.admin();
    await admin.connect();
    const before = await admin.fetchTopicOffsets(topic);
    const { code, output } = await run('send', 'EnrollStudent', '--aggregate', 'not-a-uuid', '--data', '{"roster_uuid": 5, "colour": "red"}');
    expect(code).toBe(1);
    expect(output).toContain('EnrollStudent was refused before anything was sent');
    for (const field of ['aggregate: "not-a-uuid" is not a uuid', 'roster_uuid: 5 does not fit', 'student_uuid: missing', 'period_uuid: missing', 'colour: not a field of EnrollStudent']) {
      expect(output).toContain(field);
    }
    expect(await admin.fetchTopicOffsets(topic)).toEqual(before);
    await admin.disconnect();
  });

  it('names the known commands when the type is unknown, and says what is wrong with --data', async () => {
    const unknown = await run('send', 'EnrolStudent', '--aggregate', randomUUID(), '--data', '{}');
    expect(unknown.code).toBe(1);
    expect(unknown.output).toMatch(/unknown command; known commands are .*EnrollStudent/);
    const notJson = await run('send', 'AddPeriod', '--aggregate', randomUUID(), '--data', '{name:');
    expect(notJson.code).toBe(1);
    expect(notJson.output).toContain('--data is not JSON');
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
