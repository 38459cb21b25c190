import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { readSettings } from '../config/settings.ts';
import { loadConfig } from '../config/streamfoldConfig.ts';
import type { CommandInput } from '../client/commandSender.ts';
import { formatEvent, formatTable } from './format.ts';

/** The scripted story: both seeds' domains, a duplicate, an invalid command, refusals, a reaction. */
function story() {
  const [roster, p1, p2, joe, ann, bob, reciter, album1, album2] = Array.from({ length: 9 }, () => randomUUID());
  const enrollJoe: CommandInput = {
    commandType: 'EnrollStudent',
    aggregateUuid: roster as string,
    data: { roster_uuid: roster, student_uuid: joe, period_uuid: p1 },
    commandUuid: randomUUID(),
  };
  const r = (commandType: string, data: Record<string, unknown>): CommandInput => ({ commandType, aggregateUuid: roster as string, data: { roster_uuid: roster, ...data } });
  const commands: CommandInput[] = [
    r('AddPeriod', { period_uuid: p1, name: 'Period 1' }),
    r('AddPeriod', { period_uuid: p2, name: 'Period 2' }),
    enrollJoe,
    r('EnrollStudent', { student_uuid: ann, period_uuid: p1 }),
    r('EnrollStudent', { student_uuid: bob, period_uuid: p2 }),
    r('MoveStudent', { student_uuid: ann, from_period_uuid: p1, to_period_uuid: p2 }),
    r('DropStudent', { student_uuid: bob, period_uuid: p2 }),
    enrollJoe, // the same command uuid again: deduplicated, its events re-published
    r('EnrollStudent', { student_uuid: joe, period_uuid: p2 }), // refused: AlreadyEnrolled
    r('EnrollStudent', { student_uuid: bob, period_uuid: randomUUID() }), // refused: UnknownPeriod
    { commandType: 'ChangeStudentName', aggregateUuid: joe as string, data: { student_uuid: joe, first: 'joe', middle: null, last: 'schmoe' } },
    { commandType: 'ChangeStudentName', aggregateUuid: ann as string, data: { student_uuid: ann, first: 'ann', middle: 'b', last: 'smith' } },
    { commandType: 'ChangeStudentName', aggregateUuid: bob as string, data: { student_uuid: bob, first: '   ', middle: null, last: 'jones' } }, // invalid
    { commandType: 'CreateReciter', aggregateUuid: reciter as string, data: { reciter_uuid: reciter, name: 'Nadeem Sarwar', description: null } },
    { commandType: 'UploadReciterAvatar', aggregateUuid: reciter as string, data: { reciter_uuid: reciter, avatar_url: 'https://example.org/avatar.png' } },
    { commandType: 'CreateAlbum', aggregateUuid: album1 as string, data: { album_uuid: album1, reciter_uuid: reciter, title: 'Album One', year: 2019 } },
    { commandType: 'CreateAlbum', aggregateUuid: album2 as string, data: { album_uuid: album2, reciter_uuid: reciter, title: 'Album Two', year: 2020 } },
    { commandType: 'ModifyAlbum', aggregateUuid: album2 as string, data: { album_uuid: album2, title: 'Album Two (Remastered)', year: null } },
  ];
  return { roster: roster as string, reciter: reciter as string, albums: [album1, album2] as string[], commands };
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('bring the stack up, run the pipeline in-process, send a scripted story, print the read models')
    .action(async () => {
      // Imported when the demo runs, so `--help` and the other commands start quickly.
      const [
        { createCommandSender },
        { waitForOutcome },
        { readStream },
        { waitForQuiescence },
        { pipelineStatus },
        { startProjector },
        { startReactor },
        { openRuntime },
        { prepareAll },
        { formatStatus: formatStackStatus, stackStatus, stackUp },
        { startAggregateWorker },
      ] = await Promise.all([
        import('../client/commandSender.ts'),
        import('../client/waitForOutcome.ts'),
        import('../eventlog/index.ts'),
        import('../operate/quiescence.ts'),
        import('../operate/status.ts'),
        import('../projection/projector.ts'),
        import('../reactor/reactorRunner.ts'),
        import('../runtime.ts'),
        import('../setup.ts'),
        import('../stack/stack.ts'),
        import('../worker/aggregateWorker.ts'),
      ]);
      const settings = readSettings();
      const config = await loadConfig();
      console.log('== the stack');
      await stackUp(settings);
      console.log(formatStackStatus(await stackStatus(settings)));
      await prepareAll(settings, config, (line) => console.log(line));

      const runtime = await openRuntime(config, 'demo');
      const running = [
        await startAggregateWorker(runtime),
        ...(await Promise.all(config.projections.map((p) => startProjector(runtime, p)))),
        ...(await Promise.all(config.reactors.map((r) => startReactor(runtime, r)))),
      ];
      const sender = await createCommandSender(runtime);
      try {
        const { roster, reciter, albums, commands } = story();
        console.log(`\n== sending ${commands.length} commands, one poison message, then deleting the reciter`);
        const sent = [];
        for (const command of commands) sent.push(await sender.send(command));
        const poison = runtime.kafka.producer();
        await poison.connect();
        await poison.send({ topic: 'roster.commands', messages: [{ key: roster, value: Buffer.from('not avro at all') }] });
        await poison.disconnect();
        for (const command of sent) {
          const { command: row } = await waitForOutcome(runtime.pool, command.commandUuid);
          console.log(`  ${row.command_type.padEnd(20)} ${row.outcome}${row.reason ? ` (${row.reason})` : ''}`);
        }
        await waitForQuiescence(runtime);
        const q = (text: string, params: unknown[]) => runtime.pool.query(text, params).then((r) => r.rows);
        const showCatalog = async () => {
          console.log(formatTable(await q('select name, avatar_url, version from reciters_v1.reciters where reciter_uuid = $1', [reciter])));
          console.log(formatTable(await q('select title, year, version from albums_v1.albums where album_uuid = any($1) order by title', [albums])));
        };
        console.log('\n== the reciter and their albums (reciters_v1, albums_v1)');
        await showCatalog();
        await sender.send({ commandType: 'DeleteReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter } });
        await waitForQuiescence(runtime);
        console.log('\n== after DeleteReciter: the reactor deleted their albums (reciter_album_cleanup)');
        await showCatalog();

        console.log('\n== roster view (roster_view_v1): periods with their students');
        console.log(
          formatTable(
            await q(
              `select p.name as period, s.first || coalesce(' ' || s.middle, '') || ' ' || s.last as student, e.student_uuid
               from roster_view_v1.periods p
               left join roster_view_v1.enrollments e on e.period_uuid = p.period_uuid
               left join roster_view_v1.students s on s.student_uuid = e.student_uuid
               where p.roster_uuid = $1 order by p.name, student`,
              [roster],
            ),
          ),
        );
        console.log(`\n== audit trail of roster ${roster}`);
        for (const event of await readStream(runtime.pool, roster)) console.log(formatEvent(event));
        const status = await pipelineStatus(runtime);
        const count = (outcome: string) => status.outcomes.find((o) => o.outcome === outcome)?.count ?? 0;
        const deadLettered = status.deadLetters.reduce((sum, d) => sum + d.count, 0n);
        console.log(`\n== totals in ${settings.databaseUrl} (every demo run so far): ${count('accepted')} accepted, ${count('rejected')} refused, ${count('invalid')} invalid, ${deadLettered} dead-lettered`);
        console.log('\nBrowse the streams, commands and projections: `npx streamfold serve`, then http://127.0.0.1:8080/ui');
      } finally {
        await sender.close();
        await Promise.all(running.map((part) => part.stop()));
        await runtime.close();
      }
    });
}
