import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIsoTime, isUuid } from '../../../src/core/ids.ts';

// The checks as they were written first: a regular expression and Dates. The faster ones must
// answer the same for any string, except where these let through what Postgres refuses.
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isoTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
function isIsoTimeByDates(value: string): boolean {
  if (!isoTimePattern.test(value) || Number.isNaN(Date.parse(value))) return false;
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const uuidChars = fc.constantFrom(...'0123456789abcdefABCDEFgG-xZ \u0000é'.split(''));
/** Strings near a uuid: its characters (and a few others) at lengths around 36. */
const nearUuids = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.array(uuidChars, { minLength: 34, maxLength: 38 }).map((cs) => cs.join('')),
  fc.tuple(fc.uuid(), fc.nat(35), uuidChars).map(([u, i, c]) => u.slice(0, i) + c + u.slice(i + 1)),
  fc.string(),
);

const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'.split('')), { minLength: n, maxLength: n }).map((d) => d.join(''));
/** Times in the pattern's shape with any digits, so months 13, days 31 and year 0000 come up often. */
const nearTimes = fc
  .tuple(
    fc.oneof(digits(4), fc.constantFrom('0000', '0001', '0004', '1900', '2000', '2023', '2024', '9999')),
    fc.oneof(digits(2), fc.constantFrom('01', '02', '04', '12', '13')),
    fc.oneof(digits(2), fc.constantFrom('28', '29', '30', '31', '32')),
    fc.oneof(digits(2), fc.constantFrom('00', '23', '24')),
    digits(2),
    fc.option(fc.tuple(digits(2), fc.option(fc.integer({ min: 1, max: 9 }).chain(digits)))),
    fc.constantFrom('Z', '+01:00', '-0530', '+24:00', '+00:60', 'z', ''),
  )
  .map(([y, mo, d, h, mi, s, zone]) => `${y}-${mo}-${d}T${h}:${mi}${s ? `:${s[0]}${s[1] ? `.${s[1]}` : ''}` : ''}${zone}`);

describe('isUuid', () => {
  it('answers as the regular expression did, for strings near a uuid and for any string', () => {
    fc.assert(fc.property(nearUuids, (value) => {
      expect(isUuid(value)).toBe(uuidPattern.test(value));
    }), { numRuns: 20_000 });
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 36, {}, ['a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d']]) expect(isUuid(value)).toBe(false);
  });
});

describe('isIsoTime', () => {
  it('answers as the check by Dates did, except for year 0000', () => {
    fc.assert(
      fc.property(fc.oneof(nearTimes, fc.string()), (value) => {
        expect(isIsoTime(value)).toBe(isIsoTimeByDates(value) && !value.startsWith('0000'));
      }),
      { numRuns: 20_000 },
    );
  });

  it('keeps to the calendar Postgres uses', () => {
    expect(isIsoTime('2024-02-29T00:00Z')).toBe(true);
    expect(isIsoTime('2000-02-29T00:00Z')).toBe(true);
    expect(isIsoTime('0004-02-29T00:00Z')).toBe(true);
    expect(isIsoTime('2023-02-29T00:00Z')).toBe(false);
    expect(isIsoTime('1900-02-29T00:00Z')).toBe(false);
    expect(isIsoTime('2026-04-31T12:00:00+02:00')).toBe(false);
    // Date.parse reads year 0000; Postgres says "date/time field value out of range".
    expect(isIsoTime('0000-01-01T00:00Z')).toBe(false);
    expect(isIsoTime('2026-12-04T21:46:25.123Z')).toBe(true);
  });
});
