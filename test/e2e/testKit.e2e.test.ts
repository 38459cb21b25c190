import { AssertionError } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { counterDeciderSpec, counterPipelineTest, countersProjectionSpec, embeddedGateway, incrementOverHttp } from '../../docs/snippets.ts';
import { readStream } from '../../src/eventlog/index.ts';
import { createGateway, projectionSpecification, testPipeline, type Gateway, type TestPipeline } from '../../src/index.ts';
import { command, deciderSpecification } from '../../src/testing/deciderSpecification.ts';
import { rosterDecider } from '../../demo/roster/decider.ts';
import { rosterView } from '../../demo/projections/rosterView.ts';
import demoConfig from '../../streamfold.config.ts';
import counterConfig from '../fixtures/counter/streamfold.config.ts';
import { projectRoot } from '../support/isolatedPipeline.ts';

describe('the documented examples (docs/snippets.ts) run as written', () => {
  it('decider spec', () => counterDeciderSpec());
  it('projection spec', () => countersProjectionSpec());
  it('pipeline test', () => counterPipelineTest(), 180_000);

  describe('on a running counter pipeline', () => {
    let pipeline: TestPipeline;
    let gateway: Gateway;
    const token = randomUUID();
    beforeAll(async () => {
      pipeline = await testPipeline(counterConfig, { baseDir: path.join(projectRoot, 'test/fixtures/counter'), label: 'snippets' });
      gateway = await createGateway(pipeline.runtime, { host: '127.0.0.1', port: 0, token });
    });
    afterAll(async () => {
      await gateway?.close();
      await pipeline?.close();
    });

    it('http client: each increment answers accepted with its event, and a bad uuid is refused naming it', async () => {
      const counter = randomUUID();
      for (let i = 0; i < 2; i++) {
        const result = await incrementOverHttp(gateway.url, counter, token);
        expect(result).toMatchObject({ status: 'accepted', events: [{ eventType: 'Incremented' }] });
      }
      const events = await readStream(pipeline.runtime.pool, counter);
      expect(events.map((e) => [e.aggregateVersion, e.eventType, (e.data as { total: number }).total])).toEqual([
        [1n, 'Incremented', 1],
        [2n, 'Incremented', 2],
      ]);
      await expect(incrementOverHttp(gateway.url, 'not-a-uuid', token)).rejects.toThrow(/^refused: .*aggregateUuid/);
    });

    it('embedded gateway: serves /health inside the process, and is closed when it returns', async () => {
      const url = await embeddedGateway(pipeline.runtime);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(url).not.toBe(gateway.url);
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    });
  });
});

describe('deciderSpecification.thenRefused', () => {
  const spec = deciderSpecification(rosterDecider);
  const roster = randomUUID();
  const [period, student] = [randomUUID(), randomUUID()];
  const enroll = () => command('EnrollStudent', 'Roster', roster, { roster_uuid: roster, student_uuid: student, period_uuid: period });
  const periodAdded = { type: 'PeriodAdded' as const, data: { roster_uuid: roster, period_uuid: period, name: 'P1' } };

  it('passes for exactly the refusal, and fails for an accepted command or another refusal', () => {
    spec.given([]).when(enroll()).thenRefused('UnknownPeriod');
    expect(() => spec.given([periodAdded]).when(enroll()).thenRefused('UnknownPeriod')).toThrow(AssertionError);
    const enrolled = { type: 'StudentEnrolled' as const, data: { roster_uuid: roster, student_uuid: student, period_uuid: period } };
    spec.given([periodAdded, enrolled]).when(enroll()).thenRefused('AlreadyEnrolled');
    expect(() => spec.given([periodAdded, enrolled]).when(enroll()).thenRefused('AlreadyEnrolled', { roster_uuid: roster, student_uuid: student, period_uuid: randomUUID() })).toThrow(
      AssertionError,
    );
  });
});

describe('projectionSpecification on real Postgres', () => {
  const spec = projectionSpecification(rosterView);
  const roster = randomUUID();
  const [p1, p2, joe] = [randomUUID(), randomUUID(), randomUUID()];
  const added = (period: string, name: string) => ({ type: 'PeriodAdded', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: period, name } });
  const enrolled = { type: 'StudentEnrolled', aggregateUuid: roster, data: { roster_uuid: roster, student_uuid: joe, period_uuid: p1 } };
  afterAll(() => spec.close());

  it('given events then rows, in any order, naming only the tables that matter', async () => {
    await spec.given([added(p2, 'Period 2'), added(p1, 'Period 1')]).thenRows({
      periods: [
        { period_uuid: p1, roster_uuid: roster, name: 'Period 1' },
        { period_uuid: p2, roster_uuid: roster, name: 'Period 2' },
      ],
      enrollments: [],
    });
    await spec
      .given([added(p1, 'Period 1'), added(p2, 'Period 2'), enrolled])
      .when([{ type: 'StudentMoved', aggregateUuid: roster, data: { roster_uuid: roster, student_uuid: joe, from_period_uuid: p1, to_period_uuid: p2 } }])
      .thenRows({ enrollments: [{ roster_uuid: roster, student_uuid: joe, period_uuid: p2 }] });
  });

  it('fails with the difference when a row is missing, extra or different, and when a refusal changed something', async () => {
    await expect(spec.given([added(p1, 'Period 1')]).thenRows({ periods: [] })).rejects.toThrow(/rows of roster_view.periods/);
    await expect(spec.given([added(p1, 'Period 1')]).thenRows({ periods: [{ period_uuid: p1, roster_uuid: roster, name: 'Period One' }] })).rejects.toThrow(AssertionError);
    await expect(spec.given([]).thenRows({ rosters: [] })).rejects.toThrow(/has no table rosters; its tables are periods, enrollments, students/);
    await spec.given([added(p1, 'Period 1'), enrolled]).when([{ type: 'AlreadyEnrolled', aggregateUuid: roster, data: enrolled.data }]).thenUnchanged();
    await expect(spec.given([added(p1, 'Period 1')]).when([enrolled]).thenUnchanged()).rejects.toThrow(/roster_view.enrollments changed/);
  });

  it('leaves nothing behind: each run is one rolled-back transaction', async () => {
    const pool = (await import('../../src/eventlog/index.ts')).createPool(process.env.DATABASE_URL as string, 1);
    const { rows } = await pool.query(`select nspname from pg_namespace where nspname like 'spec_roster_view_%'`);
    await pool.end();
    expect(rows).toEqual([]);
  });
});

describe('testPipeline: "and no other event" sees reactions too', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await testPipeline(demoConfig, { baseDir: projectRoot, label: 'kitdemo' });
  });
  afterAll(() => pipeline?.close());

  it('counts the reactor\'s events as events of the command that set them off', async () => {
    const [reciter, album] = [randomUUID(), randomUUID()];
    await pipeline.given([
      { commandType: 'CreateReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter, name: 'Nadeem Sarwar', description: null } },
      { commandType: 'CreateAlbum', aggregateUuid: album, data: { album_uuid: album, reciter_uuid: reciter, title: 'One', year: 2019 } },
    ]);
    const result = await pipeline.when({ commandType: 'DeleteReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter } });
    result.thenEvents([
      { type: 'ReciterDeleted', aggregateUuid: reciter },
      { type: 'AlbumDeleted', aggregateUuid: album, data: { album_uuid: album } },
    ]);
    // Expecting only the reciter's event is wrong: the reaction deleted the album too.
    expect(() => result.thenEvents([{ type: 'ReciterDeleted' }])).toThrow(/expected 1 events \(ReciterDeleted\), got/);
    await result.thenRows('albums', 'albums', [], { album_uuid: album });
    await expect(result.thenRows('albums', 'albums', [{ album_uuid: album }])).rejects.toThrow(AssertionError);
  });

  it('refuses a given command that is not accepted, naming the outcome', async () => {
    const album = randomUUID();
    await expect(pipeline.given([{ commandType: 'DeleteAlbum', aggregateUuid: album, data: { album_uuid: album } }])).rejects.toThrow(/DeleteAlbum was rejected \(AlbumNotFound\)/);
  });
});
