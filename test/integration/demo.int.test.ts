import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/settings.ts';
import { resolveConfig, type StreamfoldConfigInput } from '../../src/config/streamfoldConfig.ts';
import { commandTopicOf, eventTopicOf } from '../../src/core/index.ts';
import { deadLetterTopicOf } from '../../src/messaging/deadLetters.ts';
import { createKafka } from '../../src/messaging/kafkajs/kafka.ts';
import { projectionGroupOf } from '../../src/projection/names.ts';
import { reactorGroupOf } from '../../src/reactor/reactorRunner.ts';
import { prepareAll } from '../../src/setup.ts';
import { withDatabase } from '../../src/eventlog/database.ts';
import { aggregateGroupOf } from '../../src/worker/aggregateWorker.ts';
import { projectRoot } from '../support/isolatedPipeline.ts';
import { readTopic } from '../support/readTopic.ts';

// `npm run demo` (demo/main.ts, the demo app), the README's main job, run as a user runs it: the demo config and its topic names.
// What is its own: a fresh database and an app name of its own (so consumer groups of its own, which
// start at the end of the shared demo topics, as a new deployment would).
describe('npm run demo', () => {
  const suffix = randomBytes(3).toString('hex');
  const app = `demo-test-${suffix}`;
  const database = `sf_demo_${suffix}`;
  const root = readSettings();
  const settings = { ...root, databaseUrl: withDatabase(root.databaseUrl, database) };
  const kafka = createKafka(settings, 'demo-test');
  let groups: string[] = [];

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
    const client = new pg.Client({ connectionString: withDatabase(root.databaseUrl, 'postgres') });
    await client.connect();
    await client.query(`drop database if exists ${client.escapeIdentifier(database)} with (force)`);
    await client.end();
  });

  it('tells its story: outcomes, the catalog before and after the reactor, the roster view, the audit trail and the totals', { timeout: 180_000 }, async () => {
    const base = (await import(path.join(projectRoot, 'streamfold.config.ts'))).default as StreamfoldConfigInput;
    const config = resolveConfig({ ...base, app }, projectRoot);
    await prepareAll(settings, config);
    const admin = kafka.admin();
    await admin.connect();
    // Each group starts at the end of what earlier demo runs left on the topics.
    const subscriptions: [string, string[]][] = [
      [aggregateGroupOf(app), config.domains.map(commandTopicOf)],
      ...config.projections.map((p): [string, string[]] => [projectionGroupOf(app, p), p.sources.map((name) => eventTopicOf({ name }))]),
      ...config.reactors.map((r): [string, string[]] => [reactorGroupOf(app, r), r.sources.map((name) => eventTopicOf({ name }))]),
    ];
    groups = subscriptions.map(([group]) => group);
    await Promise.all(subscriptions.map(([groupId, topics]) => commitAtEnd(kafka, groupId, topics)));
    // One partition, kept forever: the count before is the offset of this run's first dead letter.
    const poisonTopic = deadLetterTopicOf('roster.commands');
    const deadLettersBefore = (await admin.fetchTopicOffsets(poisonTopic)).reduce((sum, p) => sum + BigInt(p.high) - BigInt(p.low), 0n);

    const { code, out } = await runDemo({ ...process.env, DATABASE_URL: settings.databaseUrl, STREAMFOLD_APP: app });
    expect(code, out).toBe(0);

    // One line per command sent, in the story's order, with its outcome and the refusal or reason.
    const outcomes = out
      .split('== sending')[1]!
      .split('\n')
      .filter((line) => /^ {2}\w+ +(accepted|rejected|invalid)/.test(line))
      .map((line) => line.trim().replace(/ +/, ' '));
    expect(outcomes).toEqual([
      'AddPeriod accepted',
      'AddPeriod accepted',
      'EnrollStudent accepted',
      'EnrollStudent accepted',
      'EnrollStudent accepted',
      'MoveStudent accepted',
      'DropStudent accepted',
      'EnrollStudent accepted',
      'EnrollStudent rejected (AlreadyEnrolled)',
      'EnrollStudent rejected (UnknownPeriod)',
      'ChangeStudentName accepted',
      'ChangeStudentName accepted',
      expect.stringMatching(/^ChangeStudentName invalid \(.*first/),
      'CreateReciter accepted',
      'UploadReciterAvatar accepted',
      'CreateAlbum accepted',
      'CreateAlbum accepted',
      'ModifyAlbum accepted',
    ]);

    // The catalog before DeleteReciter: the reciter with its avatar and both albums, one renamed.
    const before = section(out, '== the reciter and their albums');
    expect(before).toMatch(/Nadeem Sarwar +https:\/\/example\.org\/avatar\.png/);
    expect(rows(before, /^Album /)).toEqual([expect.stringMatching(/^Album One +2019 +1$/), expect.stringMatching(/^Album Two \(Remastered\) +\d* +2$/)]);
    // After it, the reactor's DeleteAlbum commands have removed both albums.
    const after = section(out, '== after DeleteReciter');
    expect(rows(after, /^Album /)).toEqual([]);
    expect(after).not.toContain('Nadeem Sarwar');

    // Ann moved to period 2, Bob dropped, Joe enrolled once (the duplicate and the refusal changed nothing).
    const roster = section(out, '== roster view');
    expect(rows(roster, /^Period /)).toEqual([expect.stringMatching(/^Period 1 +Joe Schmoe +[0-9a-f-]{36}$/), expect.stringMatching(/^Period 2 +Ann B Smith +[0-9a-f-]{36}$/)]);

    // The roster's audit trail: the seven accepted changes, then the two refusals as events.
    const trail = section(out, '== audit trail of roster');
    expect(rows(trail, /^v\d+ /).map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual([
      'v1 PeriodAdded',
      'v2 PeriodAdded',
      'v3 StudentEnrolled',
      'v4 StudentEnrolled',
      'v5 StudentEnrolled',
      'v6 StudentMoved',
      'v7 StudentDropped',
      'v8 AlreadyEnrolled',
      'v9 UnknownPeriod',
    ]);

    // Totals of this database alone: the story's 14 accepted, DeleteReciter and the reactor's two
    // DeleteAlbum; two refused; one invalid. Dead letters are counted on the shared demo topics.
    const totals = /(\d+) accepted, (\d+) refused, (\d+) invalid, (\d+) dead-lettered/.exec(section(out, '== totals'));
    expect(totals?.slice(1, 4)).toEqual(['17', '2', '1']);
    expect(BigInt(totals?.[4] ?? 0)).toBeGreaterThan(deadLettersBefore);
    // The garbage message (no headers, not Avro) is among the dead letters this run added, with its source and why.
    const added = (await readTopic(kafka, poisonTopic)).filter((m) => BigInt(m.offset) >= deadLettersBefore);
    const header = (m: (typeof added)[number], name: string) => m.headers?.[name]?.toString();
    expect(added.map((m) => [m.value?.toString(), header(m, 'dlq-source-topic'), header(m, 'dlq-error-code')])).toContainEqual([
      'not avro at all',
      'roster.commands',
      expect.stringMatching(/^(BAD_HEADERS|NOT_WIRE_FORMAT)$/),
    ]);
    await admin.disconnect();
  });
});

/** What `npm run demo` runs (`tsx demo/main.ts`), in the repository's folder: its exit code and output. */
function runDemo(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'demo/main.ts'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out })));
}

/**
 * Commits a new group's offsets at the end of its topics. kafkajs's `admin.resetOffsets` commits
 * nothing for a group that has never committed, so a member joins the group and commits itself.
 */
async function commitAtEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await Promise.all(topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })));
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.subscribe({ topics, fromBeginning: false });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    await joined;
    await consumer.commitOffsets(ends.flatMap(({ topic, offsets }) => offsets.map((p) => ({ topic, partition: p.partition, offset: p.high }))));
  } finally {
    await consumer.disconnect();
  }
}

/** The lines printed under a `== title` heading, up to the next heading. */
function section(output: string, heading: string): string {
  const start = output.indexOf(heading);
  expect(start, `no "${heading}" in the demo's output:\n${output}`).toBeGreaterThanOrEqual(0);
  const next = output.indexOf('\n== ', start + heading.length);
  return output.slice(start, next < 0 ? undefined : next);
}

/** A section's table or list rows that match, trimmed. */
const rows = (text: string, match: RegExp) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => match.test(line));
