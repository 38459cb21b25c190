import type { AnyCommand, AnyEvent, Decider } from './decider.ts';
import { assertSnapshotsKeepState } from './stateSnapshots.ts';

/**
 * One aggregate type and everything published about it. By convention its commands travel on
 * `<name>.commands`, its events on `<name>.events`, and each message type's Avro schema is
 * `avro/<name>/<Type>.avsc` with the record name equal to the type.
 */
export interface Domain<
  Command extends AnyCommand = AnyCommand,
  Event extends AnyEvent = AnyEvent,
  State = unknown,
> {
  readonly name: string;
  readonly aggregateType: string;
  readonly commandTypes: readonly Command['commandType'][];
  readonly eventTypes: readonly Event['type'][];
  /** Event types that record a refusal (AlreadyEnrolled): the command's outcome becomes `rejected`. */
  readonly refusalTypes?: readonly Event['type'][];
  readonly decider: Decider<Command, Event, State>;
  /** Changes Avro resolution cannot express (a split field, a renamed type), from old shape to new. */
  readonly upcasters?: readonly Upcaster[];
  /** Snapshot long streams every `every` events (see SnapshotOptions). */
  readonly snapshots?: SnapshotOptions<State>;
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * A snapshot is the state as JSON. A state that is plain JSON is stored as it is; any other
 * (a Set, a Map, a Date, a class) declares `toSnapshot` and `fromSnapshot`, and a state that
 * would not come back deep-equal is never stored. `version` names the shape of state: bump it
 * when code the snapshot key cannot see changes (see deciderVersionOf), such as a helper of `evolve`.
 * The pair sits here, not on the decider, which stays three plain values: storage is not its concern.
 */
export type SnapshotOptions<State> = { readonly every: number; readonly version: string } & (
  | { readonly toSnapshot: (state: State) => JsonValue; readonly fromSnapshot: (snapshot: JsonValue) => State }
  | { readonly toSnapshot?: undefined; readonly fromSnapshot?: undefined }
);

/**
 * A pure function from an old event shape to today's. `fromSchema` is the old writer schema,
 * kept under the avro folder (in a `history/` folder, which is not registered as current);
 * an event written with exactly that schema is upcast before any decider, projection or
 * reactor sees it.
 */
export interface Upcaster {
  readonly fromSchema: string;
  /** The event type it becomes; the same type by default. */
  readonly toType?: string;
  readonly upcast: (data: Record<string, unknown>) => Record<string, unknown>;
}

export const commandTopicOf = (domain: Pick<Domain, 'name'>) => `${domain.name}.commands`;
export const eventTopicOf = (domain: Pick<Domain, 'name'>) => `${domain.name}.events`;

/**
 * Keeps the literal types of a domain while checking its shape. A domain that snapshots a state
 * JSON would not keep is refused here, when the config loads, before any worker starts.
 */
export function defineDomain<Command extends AnyCommand, Event extends AnyEvent, State>(
  domain: Domain<Command, Event, State>,
): Domain<Command, Event, State> {
  assertSnapshotsKeepState(domain);
  return domain;
}
