import { HttpError } from '../http.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are checked before any query: a hostile string is refused with a 400, never sent to Postgres. */
export function requireUuid(value: string, what: string): string {
  if (!uuidPattern.test(value)) throw new HttpError(400, `${what} ${JSON.stringify(value.slice(0, 100))} is not a uuid`, [`${what}: not a uuid`]);
  return value.toLowerCase();
}

export const isUuid = (value: string) => uuidPattern.test(value);

export const maxPageSize = 500;

/** `?limit=`: 1 to 500, 50 unless asked. */
export function pageSize(url: URL, fallback = 50): number {
  const raw = url.searchParams.get('limit');
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > maxPageSize) {
    throw new HttpError(400, `limit must be an integer from 1 to ${maxPageSize}, not ${JSON.stringify(raw.slice(0, 40))}`, ['limit: out of range']);
  }
  return value;
}

/** A non-negative integer query parameter (a version to start after), or undefined when absent. */
export function wholeNumber(url: URL, name: string): bigint | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,18}$/.test(raw)) throw new HttpError(400, `${name} must be a whole number, not ${JSON.stringify(raw.slice(0, 40))}`, [`${name}: not a whole number`]);
  return BigInt(raw);
}

/** Builds a link to the next page from the current URL, keeping the other parameters. */
export function nextLink(url: URL, changes: Record<string, string>): string {
  const next = new URL(url.toString());
  for (const [key, value] of Object.entries(changes)) next.searchParams.set(key, value);
  return `${next.pathname}${next.search}`;
}
