import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineDomain, fold, StreamfoldError, type Domain } from '../../../src/core/index.ts';
import { assertSnapshotsKeepState, snapshotOf } from '../../../src/core/stateSnapshots.ts';
import { rosterDecider, rosterDomain, type RosterEvent } from '../../../demo/roster/index.ts';

const plain = { name: 'plain', decider: { initialState: () => ({}) }, snapshots: { every: 100, version: '1' } };

describe('the round-trip check of a snapshot', () => {
  it('stores plain JSON state as it is', () => {
    const state = { total: 3, names: ['a', 'b'], nested: { open: true, closedAt: null } };
    expect(snapshotOf(plain, state)).toEqual({ json: state });
  });

  it.each([
    ['a Set', { periods: new Set(['p']) }, 'state.periods is a Set'],
    ['a Map', { byId: new Map([['a', 1]]) }, 'state.byId is a Map'],
    ['an empty Set', { periods: new Set() }, 'state.periods is a Set'],
    ['a Date', { at: new Date(0) }, 'state.at is a Date'],
    ['undefined', { name: undefined }, 'state.name is undefined'],
    ['NaN in an array', { totals: [1, NaN] }, 'state.totals[1] is NaN'],
    ['-0', { total: -0 }, 'state.total is -0'],
    ['a class', { money: new (class Money {})() }, 'state.money is a Money'],
  ])('refuses %s, naming where it is', (_, state, where) => {
    expect(snapshotOf(plain, state)).toEqual({ lost: `${where}, which JSON does not keep` });
  });

  it('refuses a bigint, which JSON.stringify throws on', () => {
    expect(snapshotOf(plain, { total: 1n })).toEqual({ lost: 'JSON.stringify threw: Do not know how to serialize a BigInt' });
  });

  it('refuses text Postgres jsonb cannot store, but not an escaped backslash before a u', () => {
    expect(snapshotOf(plain, { name: 'a\u0000b' })).toHaveProperty('lost', expect.stringContaining('U+0000'));
    expect(snapshotOf(plain, { name: 'a\ud800' })).toHaveProperty('lost', expect.stringContaining('lone UTF-16 surrogate'));
    expect(snapshotOf(plain, { name: '\\u0000 and \ud83d\ude00' })).toHaveProperty('json');
  });

  it('goes through a declared toSnapshot and fromSnapshot, and refuses a pair that loses state', () => {
    const state = { periods: new Set(['p1', 'p2']) };
    const sets = { name: 'sets', decider: { initialState: () => ({ periods: new Set<string>() }) }, snapshots: { every: 100, version: '1', toSnapshot: (s: typeof state) => [...s.periods], fromSnapshot: (j: unknown) => ({ periods: new Set(j as string[]) }) } };
    expect(snapshotOf(sets, state)).toEqual({ json: ['p1', 'p2'] });
    const lossy = { ...sets, snapshots: { ...sets.snapshots, toSnapshot: (s: typeof state) => [...s.periods].slice(1) } };
    expect(snapshotOf(lossy, state)).toEqual({ lost: 'fromSnapshot(toSnapshot(state)) after JSON is not deep-equal to the state' });
  });

  it('keeps every roster state whole, its Set and Map included', () => {
    const [rosterUuid, periods, students] = ['r', ['p1', 'p2', 'p3'], ['s1', 's2', 's3', 's4']];
    const event = fc.oneof(
      fc.record({ type: fc.constant('PeriodAdded' as const), data: fc.record({ roster_uuid: fc.constant(rosterUuid), period_uuid: fc.constantFrom(...periods), name: fc.string() }) }),
      fc.record({ type: fc.constantFrom('StudentEnrolled' as const, 'StudentDropped' as const), data: fc.record({ roster_uuid: fc.constant(rosterUuid), student_uuid: fc.constantFrom(...students), period_uuid: fc.constantFrom(...periods) }) }),
    );
    fc.assert(
      fc.property(fc.array(event as fc.Arbitrary<RosterEvent>, { maxLength: 40 }), (events) => {
        const state = fold(rosterDecider, events);
        const stored = snapshotOf(rosterDomain, state);
        expect(stored).toHaveProperty('json');
        expect(rosterDomain.snapshots?.fromSnapshot?.(JSON.parse(JSON.stringify((stored as { json: unknown }).json)))).toEqual(state);
      }),
    );
  });
});

describe('a domain whose state snapshots would not keep', () => {
  const setState = {
    name: 'tags',
    aggregateType: 'Tags',
    commandTypes: [],
    eventTypes: [],
    decider: { decide: () => [], evolve: (state: { tags: Set<string> }) => state, initialState: () => ({ tags: new Set<string>() }) },
    snapshots: { every: 100, version: '1' },
  } satisfies Domain<never, never, { tags: Set<string> }>;

  it('is refused when defined, naming the domain and what to do', () => {
    expect(() => defineDomain(setState)).toThrow(StreamfoldError);
    expect(() => defineDomain(setState)).toThrow(
      'the tags domain snapshots its state, but state.tags is a Set, which JSON does not keep: declare snapshots.toSnapshot and snapshots.fromSnapshot, turning the state into plain JSON and back, or leave snapshots off',
    );
  });

  it('is accepted without snapshots, or with toSnapshot and fromSnapshot', () => {
    expect(() => defineDomain({ ...setState, snapshots: undefined })).not.toThrow();
    const snapshots = { every: 100, version: '1', toSnapshot: (s: { tags: Set<string> }) => [...s.tags], fromSnapshot: (j: unknown) => ({ tags: new Set(j as string[]) }) };
    expect(() => assertSnapshotsKeepState({ ...setState, snapshots })).not.toThrow();
  });
});
