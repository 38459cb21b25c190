import { createHash } from 'node:crypto';
import { fold, type Domain, type JsonValue, type RecordedEvent } from '../core/index.ts';
import { snapshotOf, snapshotRefusal } from '../core/stateSnapshots.ts';
import { readSnapshotsAndTails, unsealEvents, type PoolClient, type Snapshot } from '../eventlog/index.ts';
import type { Codec } from '../messaging/codec.ts';
import { currentEvents } from './currentEvents.ts';

export interface LoadedState {
  readonly version: bigint;
  readonly state: unknown;
}

const deciderVersions = new WeakMap<Domain, string>();

/**
 * The snapshot key of a domain: its declared version plus a hash of the source of every function
 * that shapes a stored state and that can be reached from the domain (see README, "Snapshots:").
 */
export function deciderVersionOf(domain: Domain): string | undefined {
  if (!domain.snapshots) return undefined;
  let version = deciderVersions.get(domain);
  if (!version) {
    const { decide, evolve, initialState } = domain.decider;
    const { toSnapshot, fromSnapshot } = domain.snapshots;
    const upcasters = (domain.upcasters ?? []).map((u) => [u.fromSchema, u.toType, String(u.upcast)]);
    const sources = JSON.stringify([String(decide), String(evolve), String(initialState), String(toSnapshot), String(fromSnapshot), upcasters]);
    version = `${domain.snapshots.version}:${createHash('sha256').update(sources).digest('hex').slice(0, 12)}`;
    deciderVersions.set(domain, version);
  }
  return version;
}

/**
 * Folds the states of many aggregates of one domain from the log: snapshot + tail where the
 * domain snapshots, the whole stream otherwise. Two round trips for any number of aggregates.
 */
export async function loadStates(client: PoolClient, domain: Domain, aggregateUuids: readonly string[], codec: Codec): Promise<Map<string, LoadedState>> {
  const { snapshots, events: stored } = await readSnapshotsAndTails(client, aggregateUuids, deciderVersionOf(domain));
  // Deciders see plaintext (or the erased placeholder); one key query, none when nothing is sealed.
  const events = await unsealEvents(client, stored, codec.personalFields);
  const tails = new Map<string, (RecordedEvent & { schemaId: number })[]>();
  for (const event of events) {
    const tail = tails.get(event.aggregateUuid);
    if (tail) tail.push(event);
    else tails.set(event.aggregateUuid, [event]);
  }
  const states = new Map<string, LoadedState>();
  const unreadable: string[] = [];
  for (const aggregateUuid of aggregateUuids) {
    const snapshot = snapshots.get(aggregateUuid);
    const tail = tails.get(aggregateUuid) ?? [];
    let from = domain.decider.initialState();
    if (snapshot) {
      try {
        from = domain.snapshots?.fromSnapshot ? domain.snapshots.fromSnapshot(snapshot.state as JsonValue) : snapshot.state;
      } catch (error) {
        // A snapshot only saves time: one that cannot be read must not fail the chunk, the whole stream can.
        warnOnce(domain, 'read', `a snapshot of the ${domain.name} domain could not be read, so its stream is folded whole: ${(error as Error).message}`);
        unreadable.push(aggregateUuid);
        continue;
      }
    }
    states.set(aggregateUuid, {
      version: tail.at(-1)?.aggregateVersion ?? snapshot?.version ?? 0n,
      state: fold(domain.decider, await currentEvents(codec, tail), from),
    });
  }
  if (unreadable.length > 0) for (const [id, loaded] of await loadStates(client, { ...domain, snapshots: undefined }, unreadable, codec)) states.set(id, loaded);
  return states;
}

/** The snapshots a step from `before` to `after` crosses a multiple of `every` for. */
export function snapshotDue(domain: Domain, before: bigint, after: bigint): boolean {
  if (!domain.snapshots) return false;
  const every = BigInt(domain.snapshots.every);
  return after / every > before / every;
}

/**
 * The due snapshots as the JSON to store, without those whose state would not come back
 * deep-equal. Such a snapshot is skipped with a warning, not thrown: throwing here would fail the
 * chunk it is written in, and every retry of it, for what only saves loading time. A domain
 * whose initial state is not plain JSON was refused earlier, by defineDomain.
 */
export function storableSnapshots(domain: Domain, due: readonly Snapshot[]): Snapshot[] {
  const storable: Snapshot[] = [];
  for (const snapshot of due) {
    const stored = snapshotOf(domain, snapshot.state);
    if ('json' in stored) storable.push({ ...snapshot, state: stored.json });
    else warnOnce(domain, 'write', `snapshot of stream ${snapshot.streamId} at version ${snapshot.version} not stored (the stream loads from its events): ${snapshotRefusal(domain, stored.lost)}`);
  }
  return storable;
}

const warned = new Set<string>();

/**
 * Once per domain and kind, so a state every snapshot refuses does not flood the log. A process
 * warning, since this layer has no logger: Node prints it on stderr and tests can listen for it.
 */
function warnOnce(domain: Domain, kind: 'read' | 'write', message: string): void {
  if (warned.has(`${domain.name}/${kind}`)) return;
  warned.add(`${domain.name}/${kind}`);
  process.emitWarning(message, { code: 'STREAMFOLD_SNAPSHOT' });
}

export type { Snapshot };
