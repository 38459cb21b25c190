import { isDeepStrictEqual } from 'node:util';
import type { JsonValue, SnapshotOptions } from './domain.ts';
import { StreamfoldError, type CoreErrorCode } from './errors.ts';
import { unstorableTextProblems } from './storableText.ts';

/** What snapshotting needs of a domain. */
export interface SnapshottingDomain<State> {
  readonly name: string;
  readonly decider: { readonly initialState: () => State };
  readonly snapshots?: SnapshotOptions<State>;
}

/**
 * The state as the JSON a snapshot stores, or why it cannot be stored without loss. The state
 * goes through `toSnapshot`, JSON text and `fromSnapshot` (both the identity when not declared)
 * and must come back deep-equal: a Set would come back `{}`, a Date a string.
 */
export function snapshotOf<State>(domain: SnapshottingDomain<State>, state: State): { readonly json: JsonValue } | { readonly lost: string } {
  const declared = domain.snapshots?.toSnapshot !== undefined;
  const { toSnapshot = (s: State) => s as JsonValue, fromSnapshot = (json: JsonValue) => json as State } = domain.snapshots ?? {};
  try {
    const json = toSnapshot(state);
    const text = JSON.stringify(json) as string | undefined;
    const [unstorable] = unstorableTextProblems(json, 'state');
    if (unstorable) return { lost: unstorable };
    if (text !== undefined && isDeepStrictEqual(fromSnapshot(JSON.parse(text) as JsonValue), state)) return { json };
  } catch (error) {
    return { lost: `${declared ? 'toSnapshot or fromSnapshot' : 'JSON.stringify'} threw: ${(error as Error).message}` };
  }
  if (declared) return { lost: 'fromSnapshot(toSnapshot(state)) after JSON is not deep-equal to the state' };
  const where = notJsonAt(state, 'state');
  return { lost: where ? `${where}, which JSON does not keep` : 'the state does not come back deep-equal from JSON' };
}

/** The sentence that refuses a domain's snapshot: what was lost and what to do. */
export function snapshotRefusal<State>(domain: Pick<SnapshottingDomain<State>, 'name' | 'snapshots'>, lost: string): string {
  const todo = domain.snapshots?.toSnapshot
    ? 'make fromSnapshot(toSnapshot(state)) deep-equal to the state'
    : 'declare snapshots.toSnapshot and snapshots.fromSnapshot, turning the state into plain JSON and back';
  return `the ${domain.name} domain snapshots its state, but ${lost}: ${todo}, or leave snapshots off`;
}

/**
 * Refuses, with a CONFIGURATION error, a domain whose initial state a snapshot would not keep:
 * the earliest point a Set in the state or a wrong toSnapshot shows.
 */
export function assertSnapshotsKeepState<State>(domain: SnapshottingDomain<State>): void {
  if (!domain.snapshots) return;
  const snapshot = snapshotOf(domain, domain.decider.initialState());
  if ('lost' in snapshot) throw new StreamfoldError<CoreErrorCode>('CONFIGURATION', snapshotRefusal(domain, snapshot.lost));
}

/** The first place in a value that is not plain JSON ("state.periods is a Set"), for the message. */
function notJsonAt(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0) ? undefined : `${path} is ${Object.is(value, -0) ? '-0' : value}`;
  if (typeof value !== 'object') return `${path} is ${value === undefined ? 'undefined' : `a ${typeof value}`}`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = notJsonAt(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return `${path} is a ${(value.constructor as { name?: string } | undefined)?.name || 'object of no class'}`;
  for (const [key, item] of Object.entries(value)) {
    const found = notJsonAt(item, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}
