import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import { waitForOutcome } from '../../src/client/waitForOutcome.ts';
import { createPool } from '../../src/eventlog/index.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { foldEventLogInto, tableDigests } from '../../src/projection/foldEventLog.ts';
import { projectionGroupOf, schemaOf, stableSchemaOf } from '../../src/projection/names.ts';
import { startProjector } from '../../src/projection/projector.ts';
import { listVersions } from '../../src/projection/versions.ts';
import { withDatabase } from '../../src/eventlog/database.ts';
import { aggregateGroupOf, startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { spawnStreamfold } from '../support/childProcesses.ts';
import { isolatedPipeline, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { rawKafka } from '../support/rawKafka.ts';

describe('revisions, state at a point in time, and a rebuilt read database', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  let database: string;
  const running: { stop(): Promise<void> }[] = [];
  const reciter = randomUUID();
  const album = randomUUID();

  beforeAll(async () => {
    pipeline = await isolatedPipeline('rebuild');
    database = `sf_rb_${pipeline.suffix}`;
    const { runtime, config } = pipeline;
    running.push(await startAggregateWorker(runtime));
    for (const projection of config.projections) running.push(await startProjector(runtime, projection));
    sender = await createCommandSender(runtime);
    const story = [
      { commandType: 'CreateReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter, name: 'Nadeem', description: null } },
      { commandType: 'ModifyReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter, name: 'Nadeem Sarwar', description: 'Karachi' } },
      { commandType: 'CreateReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter, name: 'Again', description: null } }, // refused: no revision
      { commandType: 'UploadReciterAvatar', aggregateUuid: reciter, data: { reciter_uuid: reciter, avatar_url: 'https://example.org/a.png' } },
      { commandType: 'CreateAlbum', aggregateUuid: album, data: { album_uuid: album, reciter_uuid: reciter, title: 'One', year: 2019 } },
      { commandType: 'ModifyAlbum', aggregateUuid: album, data: { album_uuid: album, title: null, year: 2020 } },
    ];
    // One after another, so the versions are the story's order.
    for (const command of story) await waitForOutcome(runtime.pool, (await sender.send(command)).commandUuid);
    const roster = randomUUID();
    await sender.send({ commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: randomUUID(), name: 'P1' } });
    await waitForQuiescence(runtime, 60_000, [aggregateGroupOf(config.app), ...config.projections.map((p) => projectionGroupOf(config.app, p))]);
  });

  afterAll(async () => {
    await sender?.close();
    for (const part of running) await part.stop();
    if (pipeline) {
      const admin = rawKafka(pipeline.runtime).admin();
      await admin.connect();
      await admin.deleteGroups(pipeline.config.projections.map((p) => projectionGroupOf(pipeline.config.app, p, database))).catch(() => undefined);
      await admin.disconnect();
      const client = new pg.Client({ connectionString: withDatabase(pipeline.settings.databaseUrl, 'postgres') });
      await client.connect();
      await client.query(`drop database if exists ${client.escapeIdentifier(database)} with (force)`);
      await client.end();
      await pipeline.cleanup();
    }
  });

  const run = async (...args: string[]) => {
    const child = spawnStreamfold(args, pipeline.childEnv);
    return { code: await child.exited, output: child.output() };
  };

  it('keeps a revision per change of a reciter or album, lists them and diffs two; folds a stream up to a point', async () => {
    const revisions = pipeline.named('revisions');
    const { rows } = await pipeline.runtime.readPool.query(
      `select entity, version::int, event_type, content from "${revisions}".revisions where entity_uuid = any($1::uuid[]) order by entity, version`,
      [[reciter, album]],
    );
    expect(rows).toEqual([
      { entity: 'album', version: 1, event_type: 'AlbumCreated', content: { status: 'Active', reciter_uuid: reciter, title: 'One', year: 2019, artwork_url: null } },
      { entity: 'album', version: 2, event_type: 'AlbumModified', content: { status: 'Active', reciter_uuid: reciter, title: 'One', year: 2020, artwork_url: null } },
      { entity: 'reciter', version: 1, event_type: 'ReciterCreated', content: { status: 'Active', name: 'Nadeem', description: null, avatar_url: null } },
      { entity: 'reciter', version: 2, event_type: 'ReciterModified', content: { status: 'Active', name: 'Nadeem Sarwar', description: 'Karachi', avatar_url: null } },
      // Version 3 was a refusal (ReciterAlreadyExists): nothing changed, no revision.
      { entity: 'reciter', version: 4, event_type: 'ReciterAvatarUploaded', content: { status: 'Active', name: 'Nadeem Sarwar', description: 'Karachi', avatar_url: 'https://example.org/a.png' } },
    ]);

    const listed = await run('revisions', 'reciter', reciter, '--projection', revisions);
    expect(listed.code).toBe(0);
    expect(listed.output).toContain(`reciter ${reciter}: 3 revisions`);
    expect(listed.output).toMatch(/v2 ReciterModified +\S+ \{"name":"Nadeem Sarwar","status":"Active","avatar_url":null,"description":"Karachi"\}/);
    const diff = await run('revisions', 'reciter', reciter, '--diff', '1', '4', '--projection', revisions);
    expect(diff.output).toContain(`reciter ${reciter} v1 (ReciterCreated) → v4 (ReciterAvatarUploaded): 3 fields changed`);
    expect(diff.output).toContain('name: "Nadeem" → "Nadeem Sarwar"');
    expect(diff.output).toContain('avatar_url: null → "https://example.org/a.png"');
    expect(diff.output).toContain('description: null → "Karachi"');
    expect(await run('revisions', 'reciter', reciter, '--diff', '1', '3', '--projection', revisions)).toMatchObject({
      code: 1,
      output: expect.stringContaining('there is no revision 3; the revisions are versions 1, 2, 4 (--diff takes two of them)'),
    });
    expect(await run('revisions', 'singer', reciter, '--projection', revisions)).toMatchObject({
      code: 1,
      output: expect.stringContaining('no entity named singer has revisions; the entities with revisions are: album, reciter'),
    });

    const atTwo = await run('stream', reciter, '--at', '2');
    expect(atTwo.code).toBe(0);
    expect(atTwo.output).toMatch(new RegExp(`Reciter ${reciter} at version 2 of 4, after ReciterModified recorded \\S+`));
    expect(atTwo.output).toContain('{"status":"Active","name":"Nadeem Sarwar","description":"Karachi","avatar_url":null}');
    const { rows: first } = await pipeline.runtime.pool.query(`select to_char(recorded_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at from events where stream_id = $1 and version = 1`, [reciter]);
    const atTime = await run('stream', reciter, '--at', first[0].at);
    expect(atTime.output).toContain('{"status":"Active","name":"Nadeem","description":null,"avatar_url":null}');
    expect(await run('stream', reciter, '--at', '2000-01-01')).toMatchObject({ code: 0, output: expect.stringContaining('before its first event') });
    expect(await run('stream', reciter, '--at', '9')).toMatchObject({ code: 1, output: expect.stringContaining(`Reciter ${reciter} has versions 1 to 4; --at takes a version from 0 to 4, or a time`) });
    expect(await run('stream', reciter, '--at', 'yesterday')).toMatchObject({ code: 2, output: expect.stringContaining('--at yesterday is neither a version') });
  });

  it('rebuilds every projection into a new database, verified, and refuses to touch it again unless told', async () => {
    const { runtime, config, settings } = pipeline;
    const built = await run('rebuild', '--database', database);
    expect(built.code).toBe(0);
    const url = withDatabase(settings.databaseUrl, database);
    expect(built.output).toContain(`PASSED: every projection in ${database} equals the fold of the event log.`);
    expect(built.output).toContain(`switch readers to: ${url}`);
    expect(built.output).toContain(`keep it current:   STREAMFOLD_READ_DATABASE_URL=${url} streamfold project`);

    const readDatabase = createPool(url, 2);
    try {
      for (const projection of config.projections) {
        const folded = `${schemaOf(projection)}_fold`;
        await foldEventLogInto(runtime, projection, folded);
        // Readers of the new database use the stable views, like readers of the old one.
        expect(await tableDigests(readDatabase, projection, stableSchemaOf(projection))).toEqual(await tableDigests(runtime.readPool, projection, folded));
      }
      const versions = await listVersions(readDatabase);
      expect(versions.map((v) => [v.projection, v.version, v.status, v.verified_at !== null])).toEqual(
        config.projections.map((p) => [p.name, 1, 'live', true]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
      const { rows } = await readDatabase.query('select count(*)::int as n from events');
      expect(rows[0].n).toBe(0);
    } finally {
      await readDatabase.end();
    }
    // The event log's own read models are untouched: their versions were not re-verified by the rebuild.
    expect((await listVersions(runtime.readPool)).map((v) => [v.projection, v.version, v.verified_at])).toEqual(
      config.projections.map((p) => [p.name, 1, null]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );

    expect(await run('rebuild', '--database', database)).toMatchObject({
      code: 1,
      output: expect.stringContaining(`database ${database} already exists; nothing was changed. Pass --replace to drop it and rebuild it, or choose another name.`),
    });
    expect(await run('rebuild', '--database', 'Not-A-Name')).toMatchObject({ code: 1, output: expect.stringContaining('--database Not-A-Name is not a plain Postgres name') });
    const replaced = await run('rebuild', '--database', database, '--replace');
    expect(replaced.code).toBe(0);
    expect(replaced.output).toContain(`dropped database ${database}`);
    expect(replaced.output).toContain('PASSED');
  });
});
