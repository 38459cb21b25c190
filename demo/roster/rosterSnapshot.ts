import type { JsonValue } from 'streamfold/core';
import type { Roster } from './decider.ts';

/** A roster as a snapshot keeps it: the Set as an array, the Map as an object. */
type RosterSnapshot = { readonly periods: readonly string[]; readonly periodOfStudent: Readonly<Record<string, string>> };

export const rosterToSnapshot = (roster: Roster): RosterSnapshot => ({
  periods: [...roster.periods],
  periodOfStudent: Object.fromEntries(roster.periodOfStudent),
});

/** Trusts its input: the snapshot key changes with rosterToSnapshot, so only its output comes back here. */
export function rosterFromSnapshot(json: JsonValue): Roster {
  const snapshot = json as RosterSnapshot;
  return { periods: new Set(snapshot.periods), periodOfStudent: new Map(Object.entries(snapshot.periodOfStudent)) };
}
