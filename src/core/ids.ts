const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid in its canonical text form: what a Postgres `uuid` column takes without error. */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && uuidPattern.test(value);

// ISO-8601 as JavaScript's toISOString and most languages' UTC formatters write it, with an offset or Z.
const isoTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An ISO-8601 date-time with its offset, naming a real instant (Postgres `timestamptz` reads it). */
export const isIsoTime = (value: unknown): value is string =>
  typeof value === 'string' && isoTimePattern.test(value) && !Number.isNaN(Date.parse(value)) && isCalendarDate(value);

/** Date.parse rolls 2024-02-30 over to March 1; Postgres refuses it. */
function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
