// `npm run demo`: the demo app runs itself as a team's service would, through streamfold's public
// API: the stack up, the event log, topics and schemas ready, a worker, the projectors and the
// reactor in this one process, then a scripted story and what it left in the read models.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  createCommandSender,
  formatEvent,
  formatTable,
  loadConfig,
  openRuntime,
  pipelineStatus,
  prepareAll,
  readSettings,
  readStream,
  startAggregateWorker,
  startProjector,
  startReactor,
  waitForOutcome,
  waitForQuiescence,
} from 'streamfold';
import { sendGarbage } from './garbage.ts';
import { story } from './story.ts';

// A team runs `npx streamfold stack up`; in this repository the bin is beside the demo.
const streamfoldBin = fileURLToPath(new URL('../bin/streamfold.mjs', import.meta.url));

const settings = readSettings();
const config = await loadConfig();
console.log('== the stack');
const stackUp = spawnSync(process.execPath, [streamfoldBin, 'stack', 'up'], { stdio: 'inherit' });
if (stackUp.status !== 0) process.exit(stackUp.status ?? 1);
await prepareAll(settings, config, (line) => console.log(line));

const runtime = await openRuntime(config, 'demo', settings);
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
  await sendGarbage(settings, 'roster.commands', roster);
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
