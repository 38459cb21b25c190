import type { RecordedEvent } from '../core/index.ts';
import { EventLogError } from './errors.ts';

/** A point in an aggregate's past: after a version, or as it stood at a moment. */
export type PointInTime = { readonly version: bigint } | { readonly time: Date };

/** `3` is a version; an ISO date or date-time is a time. Anything else is refused with the forms it takes. */
export function parsePointInTime(raw: string): PointInTime {
  const text = raw.trim();
  if (/^\d+$/.test(text)) return { version: BigInt(text) };
  const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? new Date(text) : new Date(NaN);
  if (Number.isNaN(time.getTime())) {
    throw new EventLogError('BAD_ARGUMENT', `--at ${raw} is neither a version (a whole number such as 3) nor a time (ISO 8601, such as 2025-01-31T12:00:00Z)`, false);
  }
  return { time };
}

/** The events that had happened at that point: up to the version, or recorded at or before the time. */
export function eventsUpTo<E extends Pick<RecordedEvent, 'aggregateVersion' | 'recordedAt'>>(events: readonly E[], at: PointInTime): E[] {
  if ('version' in at) return events.filter((e) => e.aggregateVersion <= at.version);
  return events.filter((e) => new Date(e.recordedAt).getTime() <= at.time.getTime());
}

/** Where the point falls: the last event it includes, or a refusal naming the versions there are. */
export function describePoint(events: readonly Pick<RecordedEvent, 'aggregateVersion' | 'recordedAt'>[], at: PointInTime): string | undefined {
  const last = events.at(-1)?.aggregateVersion ?? 0n;
  if ('version' in at && at.version > last) return `has versions 1 to ${last}; --at takes a version from 0 to ${last}, or a time`;
  return undefined;
}
