import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender } from '../../src/client/commandSender.ts';
import { waitForOutcome } from '../../src/client/waitForOutcome.ts';
import { waitForQuiescence } from '../../src/operate/quiescence.ts';
import { schemaOf } from '../../src/projection/names.ts';
import { startProjector } from '../../src/projection/projector.ts';
import { checkSchemas, registerWithUpcasters } from '../../src/schemaCheck.ts';
import { startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

const fixture = path.join(projectRoot, 'test/fixtures/library');

/** The fixture's avro folders under a namespace of this run, so registry subjects start empty. */
function avroCopies(): (version: string) => string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-library-'));
  const namespace = `fixtures.library_${randomBytes(3).toString('hex')}`;
  for (const version of ['avro-v1', 'avro-v2', 'avro-v3-breaking']) {
    fs.cpSync(path.join(fixture, version), path.join(root, version), { recursive: true });
    for (const file of fs.readdirSync(path.join(root, version), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.avsc')) continue;
      const full = path.join(root, version, file);
      fs.writeFileSync(full, fs.readFileSync(full, 'utf8').replaceAll('"fixtures.library"', JSON.stringify(namespace)));
    }
  }
  return (version) => path.join(root, version);
}

describe('evolving event schemas: v1 events read by v2 deciders and projections', () => {
  const avro = avroCopies();
  let v1: IsolatedPipeline;
  let v2: IsolatedPipeline;
  const book = randomUUID();
  const stops: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    process.env.LIBRARY_AVRO_DIR = avro('avro-v1');
    v1 = await isolatedPipeline('evolve', { configFile: path.join(fixture, 'v1.config.ts'), partitions: 1 });
    const worker = await startAggregateWorker(v1.runtime);
    const sender = await createCommandSender(v1.runtime);
    const sent = [
      await sender.send({ commandType: 'AddBook', aggregateUuid: book, data: { book_uuid: book, title: 'Emma', author: 'Jane Austen' } }),
      await sender.send({ commandType: 'ShelveBook', aggregateUuid: book, data: { book_uuid: book, shelf: 'A3' } }),
      await sender.send({ commandType: 'RetitleBook', aggregateUuid: book, data: { book_uuid: book, title: 'Emma: A Novel' } }),
    ];
    for (const command of sent) expect((await waitForOutcome(v1.runtime.pool, command.commandUuid)).command.outcome).toBe('accepted');
    await sender.close();
    await worker.stop();

    // Deploy v2: new schemas (registered past the rule where upcasters cover the old ones), new code.
    process.env.LIBRARY_AVRO_DIR = avro('avro-v2');
    v2 = await isolatedPipeline('evolve', { configFile: path.join(fixture, 'v2.config.ts'), sameAs: v1 });
  });

  afterAll(async () => {
    for (const part of stops) await part.stop();
    await v2?.cleanup();
    await v1?.cleanup();
    delete process.env.LIBRARY_AVRO_DIR;
  });

  it('folds v1 events from the Postgres log into the v2 decider: added field default, removed field, alias, split field, renamed type', async () => {
    stops.push(await startAggregateWorker(v2.runtime));
    const sender = await createCommandSender(v2.runtime);
    const signed = await sender.send({ commandType: 'SignBook', aggregateUuid: book, data: { book_uuid: book } });
    await sender.close();
    const { events } = await waitForOutcome(v2.runtime.pool, signed.commandUuid);
    expect(events.map((e) => [e.eventType, e.data])).toEqual([
      ['BookSigned', { book_uuid: book, signed_by: 'Jane Austen', title: 'Emma: A Novel', location: 'A3 (general)' }],
    ]);
  });

  it('replays v1 events from the topic into a v2 projection through resolution and upcasters', async () => {
    const books = v2.config.projections[0]!;
    stops.push(await startProjector(v2.runtime, books));
    await waitForQuiescence(v2.runtime, 60_000);
    const { rows } = await v2.runtime.pool.query(`select * from "${schemaOf(books)}".books where book_uuid = $1`, [book]);
    expect(rows).toEqual([
      { book_uuid: book, title: 'Emma: A Novel', author_first: 'Jane', author_last: 'Austen', location: 'A3', section: 'general', signed_by: 'Jane Austen' },
    ]);
  });

  it('schemas check: compatible and upcaster-covered changes pass; a breaking one is named with its field', async () => {
    const passing = await checkSchemas(v2.settings, v2.config);
    const verdictOf = (subject: string) => passing.find((r) => r.subject.endsWith(subject))?.verdict;
    expect(verdictOf('.BookShelved')).toBe('compatible');
    expect(verdictOf('.BookAdded')).toBe('needs-upcaster');
    expect(verdictOf('event log: BookRetitled')).toBe('needs-upcaster');
    expect(verdictOf('event log: BookShelved')).toBe('compatible');
    expect(passing.filter((r) => r.verdict === 'breaking')).toEqual([]);

    process.env.LIBRARY_AVRO_DIR = avro('avro-v3-breaking');
    const v3Config = (await import(path.join(fixture, 'v3.config.ts'))).default;
    const v3 = { ...v2.config, avroDir: avro('avro-v3-breaking'), domains: v3Config.domains.map((d: { name: string }) => ({ ...d, name: v2.named(d.name) })) };
    const breaking = (await checkSchemas(v2.settings, v3)).filter((r) => r.verdict === 'breaking');
    expect(breaking.map((r) => r.subject)).toEqual(expect.arrayContaining([expect.stringMatching(/\.BookShelved$/), 'event log: BookShelved']));
    expect(breaking[0]?.details.join('\n')).toContain('cannot read "string" as "int"');
    const registered = await registerWithUpcasters(v2.settings, v3);
    expect(registered.find((r) => r.subject.endsWith('.BookShelved'))?.error).toMatch(/cannot read "string" as "int"/);
  });
});
