import { createHash } from 'node:crypto';
import { fold, type Domain, type RecordedEvent } from '../core/index.ts';
import { readSnapshotsAndTails, type PoolClient, type Snapshot } from '../eventlog/index.ts';
import type { Codec } from '../messaging/codec.ts';
import { currentEvents } from './currentEvents.ts';

export interface LoadedState {
  readonly version: bigint;
  readonly state: unknown;
}

const deciderVersions = new WeakMap<Domain, string>();

/** The snapshot key of a domain: its declared version plus a hash of `evolve`'s source. */
export function deciderVersionOf(domain: Domain): string | undefined {
  if (!domain.snapshots) return undefined;
  let version = deciderVersions.get(domain);
  if (!version) {
    const evolveHash = createHash('sha256').update(domain.decider.evolve.toString()).digest('hex').slice(0, 12);
    version = `${domain.snapshots.version}:${evolveHash}`;
    deciderVersions.set(domain, version);
  }
  return version;
}

/**
 * Folds the states of many aggregates of one domain from the log: snapshot + tail where the
 * domain snapshots, the whole stream otherwise. Two round trips for any number of aggregates.
 */
export async function loadStates(client: PoolClient, domain: Domain, aggregateUuids: readonly string[], codec: Codec): Promise<Map<string, LoadedState>> {
  const { snapshots, events } = await readSnapshotsAndTails(client, aggregateUuids, deciderVersionOf(domain));
  const tails = new Map<string, (RecordedEvent & { schemaId: number })[]>();
  for (const event of events) tails.set(event.aggregateUuid, [...(tails.get(event.aggregateUuid) ?? []), event]);
  const states = new Map<string, LoadedState>();
  for (const aggregateUuid of aggregateUuids) {
    const snapshot = snapshots.get(aggregateUuid);
    const tail = tails.get(aggregateUuid) ?? [];
    const from = snapshot ? snapshot.state : domain.decider.initialState();
    states.set(aggregateUuid, {
      version: tail.at(-1)?.aggregateVersion ?? snapshot?.version ?? 0n,
      state: fold(domain.decider, await currentEvents(codec, tail), from),
    });
  }
  return states;
}

/** The snapshots a step from `before` to `after` crosses a multiple of `every` for. */
export function snapshotDue(domain: Domain, before: bigint, after: bigint): boolean {
  if (!domain.snapshots) return false;
  const every = BigInt(domain.snapshots.every);
  return after / every > before / every;
}

export type { Snapshot };
