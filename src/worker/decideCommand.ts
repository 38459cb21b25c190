import { fold, isCommandInvalid, type AnyEvent, type CommandEnvelope, type CommandOutcome, type Domain } from '../core/index.ts';
import { uuidV5 } from '../core/nameBasedUuid.ts';
import type { NewEvent } from '../eventlog/index.ts';
import type { Codec } from '../messaging/codec.ts';
import { DecisionFailed } from './commandFailures.ts';

export interface Decision {
  readonly outcome: CommandOutcome;
  readonly reason: string | null;
  readonly events: readonly NewEvent[];
  /** The state and version after the new events; unchanged for an invalid command. */
  readonly version: bigint;
  readonly state: unknown;
}

/** Event uuids derive from the command uuid, so deciding one command twice names the same events. */
export const eventUuidFor = (commandUuid: string, index: number) => uuidV5(`event-${index}`, commandUuid);

/**
 * Decides one command against a state, without I/O: the outcome, the events to append (checked
 * against their Avro schemas), and the state after them. Shared by the batched and the
 * one-by-one paths of the worker.
 */
export function decideCommand(domain: Domain, command: CommandEnvelope, state: unknown, version: bigint, codec: Codec): Decision {
  if (command.aggregateType !== domain.aggregateType) {
    const reason = `aggregate type ${command.aggregateType} is not ${domain.aggregateType}, which handles ${command.commandType}`;
    return { outcome: 'invalid', reason, events: [], version, state };
  }
  // The door let the envelope in; data from a foreign producer may still break a logical type or
  // hold text Postgres cannot store. Its envelope is sound, so it is recorded, not dead-lettered.
  const problems = codec.problems(command.commandType, command.data as Record<string, unknown>);
  if (problems.length > 0) return { outcome: 'invalid', reason: `${command.commandType} does not fit its schema: ${problems.join('; ')}`, events: [], version, state };
  let decided: readonly AnyEvent[];
  try {
    decided = domain.decider.decide(command, state);
  } catch (error) {
    if (!isCommandInvalid(error)) throw new DecisionFailed(`the ${domain.name} decider threw on ${command.commandType}: ${(error as Error).message}`, { cause: error });
    return { outcome: 'invalid', reason: error.message, events: [], version, state };
  }
  const events = decided.map((event, index): NewEvent => {
    const data = event.data as Record<string, unknown>;
    const problems = codec.problems(event.type, data);
    if (problems.length > 0) {
      throw new DecisionFailed(`the ${domain.name} decider emitted a ${event.type} that does not fit its schema: ${problems.join('; ')}`);
    }
    return { eventUuid: eventUuidFor(command.commandUuid, index), type: event.type, schemaId: codec.schemaIdOf(event.type), data };
  });
  const refusals = new Set<string>(domain.refusalTypes ?? []);
  const refused = decided.filter((e) => refusals.has(e.type)).map((e) => e.type);
  return {
    outcome: refused.length > 0 ? 'rejected' : 'accepted',
    reason: refused.length > 0 ? refused.join(', ') : null,
    events,
    version: version + BigInt(events.length),
    state: evolved(domain, decided, state),
  };
}

function evolved(domain: Domain, events: readonly AnyEvent[], state: unknown): unknown {
  try {
    return fold(domain.decider, events, state);
  } catch (error) {
    throw new DecisionFailed(`the ${domain.name} decider's evolve threw on ${events.map((e) => e.type).join(', ')}: ${(error as Error).message}`, { cause: error });
  }
}
