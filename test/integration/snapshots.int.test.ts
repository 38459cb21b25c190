import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandEnvelope, Domain } from '../../src/core/index.ts';
import type { Roster } from '../../demo/roster/index.ts';
import { inTransaction, readSnapshotsAndTails } from '../../src/eventlog/index.ts';
import { handleChunk } from '../../src/worker/handleChunk.ts';
import { deciderVersionOf, loadStates, type LoadedState } from '../../src/worker/loadStates.ts';
import { StateCache } from '../../src/worker/stateCache.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

const metadata = { issuedAt: '2026-01-01T00:00:00.000Z', issuedBy: 'test', role: 'test', correlationId: randomUUID() };

/** Handles `commands` in chunks of `size`, each on a cold cache, so every chunk loads its states from the log. */
async function handleInColdChunks(pipeline: IsolatedPipeline, domain: Domain, commands: readonly CommandEnvelope[], size: number): Promise<void> {
  for (let done = 0; done < commands.length; done += size) {
    const items = commands.slice(done, done + size).map((command) => ({ domain, command }));
    await inTransaction(pipeline.runtime.pool, (client) => handleChunk(client, items, pipeline.runtime.codec, new StateCache(10)));
  }
}

describe('snapshots of long streams (the counter fixture snapshots every 100 events)', () => {
  let pipeline: IsolatedPipeline;
  let domain: Domain;
  const counter = randomUUID();

  const increment = (by: number, counterUuid = counter): CommandEnvelope => ({
    commandType: 'Increment',
    commandUuid: randomUUID(),
    aggregateType: 'Counter',
    aggregateUuid: counterUuid,
    data: { counter_uuid: counterUuid, by },
    metadata,
  });

  beforeAll(async () => {
    pipeline = await isolatedPipeline('snap', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 1 });
    domain = pipeline.config.domains[0]!;
    await handleInColdChunks(pipeline, domain, Array.from({ length: 250 }, () => increment(1)), 60);
  });
  afterAll(async () => pipeline?.cleanup());

  it('keeps the latest snapshot at the last multiple of `every` crossed, under the decider version', async () => {
    const { rows } = await pipeline.runtime.pool.query('select decider_version, version, state from snapshots where stream_id = $1', [counter]);
    expect(rows).toEqual([{ decider_version: deciderVersionOf(domain), version: 240n, state: { total: 240 } }]);
    expect(deciderVersionOf(domain)).toMatch(/^1:[0-9a-f]{12}$/);
  });

  it('loads snapshot + tail to the same state as a fold of the whole stream', async () => {
    const loaded = await inTransaction(pipeline.runtime.pool, (client) => loadStates(client, domain, [counter], pipeline.runtime.codec));
    expect(loaded.get(counter)).toEqual({ version: 250n, state: { total: 250 } });
    const withoutSnapshots = { ...domain, snapshots: undefined };
    const folded = await inTransaction(pipeline.runtime.pool, (client) => loadStates(client, withoutSnapshots, [counter], pipeline.runtime.codec));
    expect(folded.get(counter)).toEqual(loaded.get(counter));
  });

  it('never feeds a changed decider an old snapshot', async () => {
    // A poisoned snapshot under today's key would show up in the state; a changed evolve must not read it.
    await pipeline.runtime.pool.query(`update snapshots set state = '{"total": -1}', version = 250 where stream_id = $1`, [counter]);
    const poisoned = await inTransaction(pipeline.runtime.pool, (client) => loadStates(client, domain, [counter], pipeline.runtime.codec));
    expect(poisoned.get(counter)).toEqual({ version: 250n, state: { total: -1 } }); // today's decider reads it
    const changed: Domain = { ...domain, decider: { ...domain.decider, evolve: (state, event) => domain.decider.evolve(state, event) } };
    expect(deciderVersionOf(changed)).not.toBe(deciderVersionOf(domain));
    const fresh = await inTransaction(pipeline.runtime.pool, (client) => loadStates(client, changed, [counter], pipeline.runtime.codec));
    expect(fresh.get(counter)).toEqual({ version: 250n, state: { total: 250 } });
  });

  it('keys snapshots by every function of the domain that shapes a stored state', () => {
    const key = deciderVersionOf(domain);
    const same: Domain = { ...domain, decider: { ...domain.decider } };
    expect(deciderVersionOf(same)).toBe(key);
    const changedDecide: Domain = { ...domain, decider: { ...domain.decider, decide: (command, state) => domain.decider.decide(command, state) } };
    const changedInitial: Domain = { ...domain, decider: { ...domain.decider, initialState: () => ({ total: Number('0') }) } };
    const withPair: Domain = { ...domain, snapshots: { every: 100, version: '1', toSnapshot: (s) => s as never, fromSnapshot: (j) => j } };
    const otherPair: Domain = { ...domain, snapshots: { every: 100, version: '1', toSnapshot: (s) => s as never, fromSnapshot: (j) => ({ ...(j as object) }) } };
    const bumped: Domain = { ...domain, snapshots: { every: 100, version: '2' } };
    const keys = [key, ...[changedDecide, changedInitial, withPair, otherPair, bumped].map(deciderVersionOf)];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('skips, with a warning, a snapshot whose state JSON would not keep, and commits the chunk', async () => {
    // Built without defineDomain and plain JSON at first, so only the snapshot writer can catch the Date.
    const dated: Domain = { ...domain, decider: { ...domain.decider, evolve: (state, event) => ({ ...(domain.decider.evolve(state, event) as object), at: new Date(0) }) } };
    const other = randomUUID();
    const warnings: Error[] = [];
    const listen = (warning: Error) => warnings.push(warning);
    process.on('warning', listen);
    try {
      await handleInColdChunks(pipeline, dated, Array.from({ length: 150 }, () => increment(1, other)), 60);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listen);
    }
    const { rows } = await pipeline.runtime.pool.query('select count(*)::int as events, (select count(*)::int from snapshots where stream_id = $1) as snapshots from events where stream_id = $1', [other]);
    expect(rows).toEqual([{ events: 150, snapshots: 0 }]);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(new RegExp(`^snapshot of stream ${other} at version 120 not stored .*state\\.at is a Date, which JSON does not keep: declare snapshots\\.toSnapshot and snapshots\\.fromSnapshot`))]);
    const loaded = await inTransaction(pipeline.runtime.pool, (client) => loadStates(client, dated, [other], pipeline.runtime.codec));
    expect(loaded.get(other)).toEqual({ version: 150n, state: { total: 150, at: new Date(0) } });
  });
});

describe('a domain that snapshots a state JSON would not keep', () => {
  it('stops the worker at start, naming the domain and what to declare', async () => {
    // .mts: outside a package that says "type": "module", tsx would load a .ts config as CommonJS.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamfold-config-'));
    const configFile = path.join(dir, 'streamfold.config.mts');
    fs.writeFileSync(
      configFile,
      `import { defineConfig, defineDomain } from ${JSON.stringify(path.join(projectRoot, 'src/index.ts'))};
      const tags = defineDomain({
        name: 'tags', aggregateType: 'Tags', commandTypes: [], eventTypes: [],
        decider: { decide: () => [], evolve: (state) => state, initialState: () => ({ tags: new Set<string>() }) },
        snapshots: { every: 100, version: '1' },
      });
      export default defineConfig({ app: 'tags', domains: [tags] });`,
    );
    try {
      const worker = promisify(execFile)(process.execPath, [path.join(projectRoot, 'bin/streamfold.mjs'), 'worker'], { env: { ...process.env, STREAMFOLD_CONFIG: configFile }, timeout: 60_000 });
      await expect(worker).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining(
          'streamfold: the tags domain snapshots its state, but state.tags is a Set, which JSON does not keep: declare snapshots.toSnapshot and snapshots.fromSnapshot, turning the state into plain JSON and back, or leave snapshots off\n',
        ),
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('roster snapshots (a Set and a Map in the state, kept by toSnapshot and fromSnapshot)', () => {
  let pipeline: IsolatedPipeline;
  let domain: Domain;
  const roster = randomUUID();
  const periods = Array.from({ length: 5 }, () => randomUUID());
  const students = Array.from({ length: 5000 }, () => randomUUID());
  let folded: LoadedState;
  const load = (d: Domain) => inTransaction(pipeline.runtime.pool, (client) => loadStates(client, d, [roster], pipeline.runtime.codec));

  const rosterCommand = (commandType: string, data: object): CommandEnvelope => ({
    commandType,
    commandUuid: randomUUID(),
    aggregateType: 'Roster',
    aggregateUuid: roster,
    data: { roster_uuid: roster, ...data },
    metadata,
  });

  beforeAll(async () => {
    pipeline = await isolatedPipeline('snaproster', { partitions: 1 });
    domain = pipeline.config.domains.find((d) => d.aggregateType === 'Roster')!;
    const periodOf = (i: number) => periods[i % periods.length]!;
    // 10,000 events: 5 periods, 5,000 enrolments, 3,000 moves, 1,995 drops.
    const commands = [
      ...periods.map((period_uuid, i) => rosterCommand('AddPeriod', { period_uuid, name: `Period ${i + 1}` })),
      ...students.map((student_uuid, i) => rosterCommand('EnrollStudent', { student_uuid, period_uuid: periodOf(i) })),
      ...students.slice(0, 3000).map((student_uuid, i) => rosterCommand('MoveStudent', { student_uuid, from_period_uuid: periodOf(i), to_period_uuid: periodOf(i + 1) })),
      ...students.slice(2000, 3995).map((student_uuid, i) => rosterCommand('DropStudent', { student_uuid, period_uuid: periodOf(2000 + i + (2000 + i < 3000 ? 1 : 0)) })),
    ];
    await handleInColdChunks(pipeline, domain, commands, 500);
    // Folding 10,000 events without a snapshot takes seconds on a busy machine: once for the tests below.
    folded = (await load({ ...domain, snapshots: undefined })).get(roster)!;
  });
  afterAll(async () => pipeline?.cleanup());

  it('stores the roster as JSON at its last multiple of 100, and loads it from that snapshot alone', async () => {
    const { rows } = await pipeline.runtime.pool.query<{ version: bigint; state: { periods: string[]; periodOfStudent: Record<string, string> } }>(
      'select version, state from snapshots where stream_id = $1',
      [roster],
    );
    expect(rows.map((r) => [r.version, r.state.periods.length, Object.keys(r.state.periodOfStudent).length])).toEqual([[10_000n, 5, 3005]]);
    const { snapshots, events } = await inTransaction(pipeline.runtime.pool, (client) => readSnapshotsAndTails(client, [roster], deciderVersionOf(domain)));
    expect([snapshots.get(roster)?.version, events.length]).toEqual([10_000n, 0]);
  });

  it('loads cold to the same state, Sets and Maps intact, with and without the snapshot', async () => {
    const fromSnapshot = (await load(domain)).get(roster)!;
    const state = fromSnapshot.state as Roster;
    expect(state.periods).toBeInstanceOf(Set);
    expect(state.periodOfStudent).toBeInstanceOf(Map);
    expect([fromSnapshot.version, state.periods.size, state.periodOfStudent.size]).toEqual([10_000n, 5, 3005]);
    expect(isDeepStrictEqual(fromSnapshot, folded)).toBe(true);
    expect(state.periodOfStudent.get(students[0]!)).toBe(periods[1]); // moved
    expect(state.periodOfStudent.has(students[2500]!)).toBe(false); // dropped
    expect(state.periodOfStudent.get(students[4999]!)).toBe(periods[4999 % 5]); // stayed
  });

  it('holds only events, no refusals, so every command above took effect', async () => {
    const { rows } = await pipeline.runtime.pool.query('select type, count(*)::int as n from events where stream_id = $1 group by type order by type', [roster]);
    expect(rows).toEqual([
      { type: 'PeriodAdded', n: 5 },
      { type: 'StudentDropped', n: 1995 },
      { type: 'StudentEnrolled', n: 5000 },
      { type: 'StudentMoved', n: 3000 },
    ]);
  });

  it('folds the whole stream when fromSnapshot throws on a stored snapshot', async () => {
    // `new Set(5)` throws: a snapshot gone wrong must cost time, not the chunk.
    await pipeline.runtime.pool.query(`update snapshots set state = '{"periods": 5, "periodOfStudent": {}}' where stream_id = $1`, [roster]);
    expect(isDeepStrictEqual((await load(domain)).get(roster), folded)).toBe(true);
  });
});
