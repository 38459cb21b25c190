import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import { spawnStreamfold, waitForOutput, type Child } from '../support/childProcesses.ts';
import { isolatedPipeline, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { rawKafka } from '../support/rawKafka.ts';

const until = async <T>(what: string, look: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await look();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

describe('operating from the terminal: trace and dead-letters', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  let worker: Child;
  let reactor: Child;

  const run = async (...args: string[]) => {
    const child = spawnStreamfold(args, pipeline.childEnv);
    const code = await child.exited;
    return { code, output: child.output() };
  };
  const outcomeOf = async (commandUuid: string) =>
    (await pipeline.runtime.pool.query<{ outcome: string | null }>('select outcome from processed_commands where command_uuid = $1', [commandUuid])).rows[0]?.outcome ?? undefined;

  beforeAll(async () => {
    pipeline = await isolatedPipeline('operatecli');
    sender = await createCommandSender(pipeline.runtime);
    worker = spawnStreamfold(['worker'], pipeline.childEnv);
    reactor = spawnStreamfold(['react'], pipeline.childEnv);
    await Promise.all([waitForOutput(worker, 'worker running'), waitForOutput(reactor, 'reactors running')]);
  });

  afterAll(async () => {
    for (const child of [worker, reactor]) {
      if (!child) continue;
      child.process.kill('SIGTERM');
      await child.exited;
    }
    await sender?.close();
    await pipeline?.cleanup();
  });

  it('traces a reactor chain from its correlation id and from its first command uuid: DeleteReciter → ReciterDeleted → DeleteAlbum ×2 → AlbumDeleted', async () => {
    const [reciter, album1, album2] = [randomUUID(), randomUUID(), randomUUID()];
    const created = await sender.sendMany([
      { commandType: 'CreateReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter, name: 'R', description: null } },
      { commandType: 'CreateAlbum', aggregateUuid: album1, data: { album_uuid: album1, reciter_uuid: reciter, title: 'One', year: 2019 } },
      { commandType: 'CreateAlbum', aggregateUuid: album2, data: { album_uuid: album2, reciter_uuid: reciter, title: 'Two', year: 2020 } },
    ]);
    for (const c of created) await until(`${c.commandType} decided`, () => outcomeOf(c.commandUuid));
    const deleted = await sender.send({ commandType: 'DeleteReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter } });
    const correlationId = deleted.metadata.correlationId;
    await until('both albums deleted by the reactor', async () => {
      const { rows } = await pipeline.runtime.pool.query("select 1 from events where correlation_id = $1 and type = 'AlbumDeleted'", [correlationId]);
      return rows.length === 2 ? true : undefined;
    });

    const byCorrelation = await run('trace', correlationId);
    expect(byCorrelation.code).toBe(0);
    const lines = byCorrelation.output.trimEnd().split('\n');
    expect(lines[0]).toBe(`correlation ${correlationId}: 3 commands, 3 events`);
    // The shape, with the uuids, versions and times taken out.
    const shape = lines.slice(1).map((l) => l.replace(/^([\s│├└─]*)(\w+) ([0-9a-f]{8})\b.*?(accepted|v\d+).*$/, '$1$2 $4'));
    expect(shape).toEqual([
      '└─ DeleteReciter accepted',
      '   └─ ReciterDeleted v2',
      '      ├─ DeleteAlbum accepted',
      '      │  └─ AlbumDeleted v2',
      '      └─ DeleteAlbum accepted',
      '         └─ AlbumDeleted v2',
    ]);
    expect(lines[1]).toContain(`DeleteReciter ${deleted.commandUuid.slice(0, 8)}`);
    expect(lines[3]).toContain(`by reactor:${pipeline.named('reciter_album_cleanup')}`);
    expect(lines[2]).toMatch(/ReciterDeleted [0-9a-f]{8} {2}v2 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);

    const byCommand = await run('trace', deleted.commandUuid);
    expect(byCommand.code).toBe(0);
    expect(byCommand.output).toBe(byCorrelation.output);
  });

  it('refuses what is not a uuid (exit 2) and says in one line that a uuid is unknown (exit 1)', async () => {
    const notUuid = await run('trace', 'nope');
    expect(notUuid.code).toBe(2);
    expect(notUuid.output).toBe('streamfold: <uuid>: "nope" is not a uuid (like 3f0c2b9e-8d1a-4c57-9e0b-2a6d5f4c1e7a)\n');
    const unknown = randomUUID();
    const missing = await run('trace', unknown);
    expect(missing.code).toBe(1);
    expect(missing.output).toBe(`streamfold: ${unknown} is neither a correlation id nor a command uuid of the event log\n`);
  });

  it('lists, shows, retries (dead-lettered again) and discards a poison command, each action recorded with who did it', async () => {
    const commands = `${pipeline.named('roster')}.commands`;
    const dlq = `${commands}.dlq`;
    const producer = rawKafka(pipeline.runtime).producer();
    await producer.connect();
    await producer.send({ topic: commands, messages: [{ key: 'garbage-key', value: Buffer.from('not avro at all') }] });
    await producer.disconnect();
    const dlqEnd = async () => {
      const admin = pipeline.runtime.transport.admin();
      await admin.connect();
      try {
        return (await admin.topicOffsets(dlq))[0]?.high ?? 0n;
      } finally {
        await admin.disconnect();
      }
    };
    await until('the dead letter', async () => ((await dlqEnd()) === 1n ? true : undefined));

    const listed = await run('dead-letters', 'list');
    expect(listed.code).toBe(0);
    expect(listed.output).toMatch(new RegExp(`${dlq.replace(/\./g, '\\.')} +1 message +0 retried +0 discarded`));

    const shown = await run('dead-letters', 'show', dlq);
    expect(shown.code).toBe(0);
    expect(shown.output).toContain(`0@0  BAD_KEY  from ${commands}[`);
    expect(shown.output).toContain('  key      garbage-key');
    expect(shown.output).toContain('  value    15 bytes: not avro at all');
    expect(shown.output).toMatch(/ {2}reason {3}\S/);

    const retried = await run('dead-letters', 'retry', dlq, '0', '0', '--by', 'ms.frizzle');
    expect(retried.code).toBe(0);
    expect(retried.output).toMatch(new RegExp(`^retried ${dlq.replace(/\./g, '\\.')} 0@0 → ${commands.replace(/\./g, '\\.')} by ms\\.frizzle at `));
    // Still garbage: the worker dead-letters it again.
    await until('the second dead letter', async () => ((await dlqEnd()) === 2n ? true : undefined));

    const discarded = await run('dead-letters', 'discard', dlq, '0', '1');
    expect(discarded.code).toBe(0);
    const user = os.userInfo().username;
    expect(discarded.output).toContain(`discarded ${dlq} 0@1 by ${user} at `);

    const { rows } = await pipeline.runtime.pool.query('select topic, partition, "offset"::text as "offset", action, actor, error_code, sent_to from dead_letter_actions order by id');
    expect(rows).toEqual([
      { topic: dlq, partition: 0, offset: '0', action: 'retried', actor: 'ms.frizzle', error_code: 'BAD_KEY', sent_to: commands },
      { topic: dlq, partition: 0, offset: '1', action: 'discarded', actor: user, error_code: 'BAD_KEY', sent_to: null },
    ]);
    const after = await run('dead-letters', 'show', dlq);
    expect(after.output).toContain('  retried  by ms.frizzle at ');
    expect(after.output).toContain(`  discarded by ${user} at `);
    expect((await run('dead-letters', 'list')).output).toMatch(new RegExp(`${dlq.replace(/\./g, '\\.')} +2 messages +1 retried +1 discarded`));

    const gone = await run('dead-letters', 'discard', dlq, '0', '99');
    expect(gone.code).toBe(1);
    expect(gone.output).toContain(`${dlq} has no message at partition 0, offset 99`);
  });

  it('refuses bad dead-letter arguments with one line and exit 2', async () => {
    const dlq = `${pipeline.named('roster')}.commands.dlq`;
    const cases: [string[], string][] = [
      [['dead-letters', 'show', '__consumer_offsets'], '<dlq-topic>: "__consumer_offsets" is not a dead-letter topic of the config; they are '],
      [['dead-letters', 'show', dlq, '--limit', '0'], '--limit: "0" is not a whole number from 1'],
      [['dead-letters', 'retry', dlq, 'x', '0'], '<partition>: "x" is not a partition'],
      [['dead-letters', 'discard', dlq, '0', '1 or 1=1'], '<offset>: "1 or 1=1" is not an offset'],
      [['dead-letters', 'retry', dlq, '0'], "missing required argument 'offset'"],
      [['dead-letters', 'discard', dlq, '0', '0', '--by', ' '], '--by: " " must name who acts'],
    ];
    for (const [args, says] of cases) {
      const { code, output } = await run(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(output.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(output, args.join(' ')).toContain(says);
    }
  });
});
