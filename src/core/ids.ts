// Every message through the doors checks several uuids and a time, once per header and field of
// every event a replay reads: the checks walk characters and count days instead of running a
// regular expression and building Dates (test/unit/core/ids.unit.test.ts holds them to the
// patterns they replaced, and to what Postgres accepts).

const HYPHEN = 0x2d;

/** 0-9, a-f, A-F. */
function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46);
}

/** A uuid in its canonical text form: what a Postgres `uuid` column takes without error. */
export function isUuid(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23 ? code !== HYPHEN : !isHexDigit(code)) return false;
  }
  return true;
}

// ISO-8601 as JavaScript's toISOString and most languages' UTC formatters write it, with an offset or Z.
const isoTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An ISO-8601 date-time with its offset, naming a real instant (Postgres `timestamptz` reads it). */
export const isIsoTime = (value: unknown): value is string =>
  typeof value === 'string' && isoTimePattern.test(value) && !Number.isNaN(Date.parse(value)) && isCalendarDate(value);

/** The number of the ASCII digits at [from, to) of a string the pattern has matched. */
function digitsAt(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + value.charCodeAt(i) - 0x30;
  return n;
}

/**
 * Date.parse rolls 2024-02-30 over to March 1, and reads year 0000, which Postgres refuses; the
 * proleptic Gregorian calendar Postgres uses decides.
 */
function isCalendarDate(value: string): boolean {
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 7);
  const day = digitsAt(value, 8, 10);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
