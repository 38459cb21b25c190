import type { CommandEnvelope, DomainEvent } from './envelopes.ts';
import { CommandInvalid } from './errors.ts';

// Domains type their data as interfaces, which have no index signature: `object` admits them.
export type AnyCommand = CommandEnvelope<string, object>;
export type AnyEvent = DomainEvent<string, object>;

/**
 * A domain is three plain values (Emmett's and Chassaing's decider): no base class, no I/O.
 * A refusal is an event too (AlreadyEnrolled): it is recorded, so the log says what was asked.
 * `decide` may throw a CommandInvalid for a command that makes no sense at all.
 */
export interface Decider<Command extends AnyCommand, Event extends AnyEvent, State> {
  readonly decide: (command: Command, state: State) => readonly Event[];
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: () => State;
}

/** Folds a stream's events into state, the left fold of the first seed. */
export function fold<Event extends AnyEvent, State>(
  decider: Pick<Decider<never, Event, State>, 'evolve' | 'initialState'>,
  events: Iterable<Event>,
  from: State = decider.initialState(),
): State {
  let state = from;
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

/**
 * Refuses a command whose data names another aggregate than the one it is addressed to (the
 * message key): such a command would change the wrong stream.
 */
export function assertAddressedTo(command: CommandEnvelope<string, object>, idField: string, id: unknown): void {
  if (id !== command.aggregateUuid) {
    throw new CommandInvalid([`data.${idField} ${String(id)} is not the aggregateUuid ${command.aggregateUuid}`]);
  }
}
