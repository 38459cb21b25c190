import { describe, expect, it } from 'vitest';
import { describePoint, eventsUpTo, parsePointInTime } from '../../../src/eventlog/pointInTime.ts';
import { partitionsBehind } from '../../../src/projection/appliedOffsets.ts';
import { formatDuration, progressLine, rateOf, replayProgress } from '../../../src/projection/replayProgress.ts';
import { diffContent, pickRevisions, type Revision } from '../../../src/projection/revisionHistory.ts';
import { findGaps } from '../../../src/projection/verify.ts';

const at = (topic: string, partition: number, next: bigint) => ({ topic, partition, next });

describe('a cutover compares applied offsets per partition', () => {
  it('names each partition where the new version has applied less than the live one', () => {
    const live = [at('t', 0, 10n), at('t', 1, 7n), at('u', 0, 3n)];
    expect(partitionsBehind(live, [at('t', 0, 12n), at('t', 1, 6n), at('u', 0, 3n)])).toEqual([{ topic: 't', partition: 1, live: 7n, candidate: 6n }]);
  });
  it('counts a partition the new version never reached as offset zero', () => {
    expect(partitionsBehind([at('t', 2, 1n)], [])).toEqual([{ topic: 't', partition: 2, live: 1n, candidate: 0n }]);
  });
  it('lets a new version that is level or ahead everywhere through', () => {
    expect(partitionsBehind([at('t', 0, 5n)], [at('t', 0, 5n), at('t', 1, 9n)])).toEqual([]);
  });
});

describe('verification finds lost events as gaps in an aggregate’s versions', () => {
  const e = (aggregateUuid: string, v: number) => ({ aggregateUuid, aggregateVersion: BigInt(v) });
  it('reports the first missing version of each aggregate', () => {
    expect(findGaps([e('a', 1), e('a', 3), e('b', 2), e('c', 1), e('c', 2)])).toEqual([
      { aggregateUuid: 'a', missingVersion: '2' },
      { aggregateUuid: 'b', missingVersion: '1' },
    ]);
  });
  it('finds none in complete prefixes, whatever their order, and ignores a repeated event', () => {
    expect(findGaps([e('a', 2), e('a', 1), e('a', 2), e('b', 1)])).toEqual([]);
  });
});

describe('revisions --diff', () => {
  it('lists the fields whose values changed, added and removed ones included', () => {
    expect(diffContent({ name: 'a', description: null, avatar_url: null, gone: 1 }, { name: 'b', description: null, avatar_url: 'x', added: [1] })).toEqual([
      { field: 'name', before: 'a', after: 'b' },
      { field: 'avatar_url', before: null, after: 'x' },
      { field: 'gone', before: 1, after: undefined },
      { field: 'added', before: undefined, after: [1] },
    ]);
  });
  it('finds nothing between equal contents', () => {
    expect(diffContent({ a: { b: 1 } }, { a: { b: 1 } })).toEqual([]);
  });
  it('refuses a version there is no revision of, naming the ones there are', () => {
    const revision = (version: number): Revision => ({ version: BigInt(version), event_type: 'X', event_uuid: 'u', content: {}, created_at: new Date(0) });
    expect(() => pickRevisions([revision(1), revision(3)], 1n, 2n)).toThrow('there is no revision 2; the revisions are versions 1, 3');
    expect(pickRevisions([revision(1), revision(3)], 3n, 1n).map((r) => r.version)).toEqual([3n, 1n]);
  });
});

describe('stream --at', () => {
  const events = [1, 2, 3].map((v) => ({ aggregateVersion: BigInt(v), recordedAt: `2025-01-0${v}T12:00:00.000Z` }));
  it('reads a whole number as a version and an ISO date or time as a time', () => {
    expect(parsePointInTime('3')).toEqual({ version: 3n });
    expect(parsePointInTime('2025-01-02T12:00:00Z')).toEqual({ time: new Date('2025-01-02T12:00:00Z') });
    expect(parsePointInTime('2025-01-02')).toEqual({ time: new Date('2025-01-02') });
  });
  it('refuses anything else, saying which forms it takes', () => {
    expect(() => parsePointInTime('yesterday')).toThrow(/neither a version .* nor a time \(ISO 8601/);
    expect(() => parsePointInTime('-1')).toThrow(/neither a version/);
  });
  it('keeps the events up to a version, or recorded at or before a time', () => {
    expect(eventsUpTo(events, { version: 2n }).map((e) => e.aggregateVersion)).toEqual([1n, 2n]);
    expect(eventsUpTo(events, { version: 0n })).toEqual([]);
    expect(eventsUpTo(events, { time: new Date('2025-01-02T12:00:00Z') }).map((e) => e.aggregateVersion)).toEqual([1n, 2n]);
    expect(eventsUpTo(events, { time: new Date('2024-12-31') })).toEqual([]);
  });
  it('refuses a version past the last one', () => {
    expect(describePoint(events, { version: 4n })).toBe('has versions 1 to 3; --at takes a version from 0 to 3, or a time');
    expect(describePoint(events, { version: 3n })).toBeUndefined();
  });
});

describe('replay progress', () => {
  it('measures the rate over the recent samples', () => {
    const samples = [
      { at: 0, done: 0 },
      { at: 1_000, done: 100 },
      { at: 6_000, done: 1_100 },
      { at: 8_000, done: 1_900 },
    ];
    // The window of the last 5 s holds the samples at 6,000 and 8,000 ms: 800 events in 2 s.
    expect(rateOf(samples)).toBeCloseTo(800 / 2, 5);
    expect(rateOf([{ at: 0, done: 5 }])).toBe(0);
  });
  it('prints done of total, percentage, rate and ETA', () => {
    expect(progressLine('r v2', 250, 1000, 50)).toBe('r v2: 250/1000 events (25%), 50 events/s, ETA 15s');
    expect(progressLine('r v2', 1000, 1000, 0)).toBe('r v2: 1000/1000 events (100%), 0 events/s, ETA 0s');
    expect(progressLine('r v2', 0, 1000, 0)).toBe('r v2: 0/1000 events (0%), 0 events/s, ETA ?');
  });
  it('shows a halt in place of the rate, with the commands that clear it, and counts followed skips', () => {
    const halt = {
      name: 'roster_view',
      version: 2,
      eventUuid: 'e1',
      eventType: 'StudentEnrolled',
      error: 'boom\n  at line',
      skip: 'streamfold projection skip roster_view --version 2',
      resume: 'streamfold projection resume roster_view --version 2',
    };
    expect(progressLine('roster_view v2', 56, 10341, 0, { halts: [halt], followedSkips: 1 })).toBe(
      'roster_view v2: 56/10341 events (0%), HALTED: roster_view v2 halted on StudentEnrolled e1: boom at line. ' +
        'Clear it: streamfold projection skip roster_view --version 2 (leave the event out) or streamfold projection resume roster_view --version 2 (retry it); ' +
        '1 event skipped because another version skipped it',
    );
    expect(progressLine('r v2', 250, 1000, 50, { halts: [], followedSkips: 2 })).toBe('r v2: 250/1000 events (25%), 50 events/s, ETA 15s; 2 events skipped because another version skipped them');
  });
  it('writes a new halt at once, not at the next timed line', () => {
    const lines: string[] = [];
    const progress = replayProgress('r v2', { tty: false, write: (line) => lines.push(line), lineEveryMs: 60_000 });
    const halt = { name: 'r', version: 2, eventUuid: 'e1', eventType: 'T', error: 'boom', skip: 'skip', resume: 'resume' };
    progress.update(1, 10);
    progress.update(2, 10);
    progress.update(2, 10, { halts: [halt], followedSkips: 0 });
    progress.update(2, 10, { halts: [halt], followedSkips: 0 });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('HALTED: r v2 halted on T e1: boom. Clear it: skip');
  });
  it('formats durations for people', () => {
    expect([formatDuration(9.4), formatDuration(75), formatDuration(3_725)]).toEqual(['9s', '1m15s', '1h02m']);
  });
});
