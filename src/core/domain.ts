import type { AnyCommand, AnyEvent, Decider } from './decider.ts';

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
  /**
   * Snapshot long streams every `every` events. The state must be plain JSON. `version` names
   * the decider's shape of state; bump it when `evolve` changes (a hash of `evolve` is added too,
   * so a forgotten bump cannot feed a changed decider an old snapshot).
   */
  readonly snapshots?: { readonly every: number; readonly version: string };
}

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

/** Keeps the literal types of a domain while checking its shape. */
export function defineDomain<Command extends AnyCommand, Event extends AnyEvent, State>(
  domain: Domain<Command, Event, State>,
): Domain<Command, Event, State> {
  return domain;
}
