import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import {
  fold,
  type AnyCommand,
  type AnyEvent,
  type CommandEnvelope,
  type CommandMetadata,
  type Decider,
} from '../core/index.ts';

/**
 * Given/when/then for a decider (Emmett's DeciderSpecification). It throws node's AssertionError,
 * so it works in any test runner:
 *
 *   spec.given([periodAdded]).when(enrollStudent).then([studentEnrolled]);
 */
export function deciderSpecification<Command extends AnyCommand, Event extends AnyEvent, State>(
  decider: Decider<Command, Event, State>,
) {
  return {
    given: (events: readonly Event[]) => ({
      when: (command: Command) => {
        const decide = () => decider.decide(command, fold(decider, events));
        return {
          /** Exactly these events, in this order, and nothing else. */
          then: (expected: readonly Event[]): void => {
            assert.deepStrictEqual(decide(), expected);
          },
          /** The negative assertion: decide accepted the command and emitted no event. */
          thenNothing: (): void => {
            const emitted = decide();
            assert.deepStrictEqual(emitted, [], `expected no event, got ${inspect(emitted, { depth: 4 })}`);
          },
          /**
           * The command was refused: decide emitted exactly one event, the refusal `type` (one of
           * the domain's refusalTypes, AlreadyEnrolled say), with `data` when given, and nothing else.
           */
          thenRefused: <Type extends Event['type']>(type: Type, data?: Extract<Event, { type: Type }>['data']): void => {
            const emitted = decide();
            assert.equal(emitted.length, 1, `expected only the refusal ${type}, got ${inspect(emitted, { depth: 4 })}`);
            assert.equal(emitted[0]?.type, type, `expected the refusal ${type}, got ${inspect(emitted, { depth: 4 })}`);
            if (data !== undefined) assert.deepStrictEqual(emitted[0]?.data, data);
          },
          /** decide threw an instance of `errorClass` (CommandInvalid, say) that passes `check`. */
          thenThrows: <E extends Error>(
            errorClass: abstract new (...args: never[]) => E,
            check: (error: E) => boolean = () => true,
          ): void => {
            let emitted: readonly Event[];
            try {
              emitted = decide();
            } catch (error) {
              assert.ok(error instanceof errorClass, `expected a ${errorClass.name}, got ${inspect(error)}`);
              assert.ok(check(error), `the ${errorClass.name} does not pass the check: ${inspect(error)}`);
              return;
            }
            assert.fail(`expected a ${errorClass.name}, got events ${inspect(emitted, { depth: 4 })}`);
          },
        };
      },
    }),
  };
}

const testMetadata: CommandMetadata = {
  issuedAt: '2024-09-02T08:00:00.000Z',
  issuedBy: 'test-user',
  role: 'test',
  correlationId: '00000000-0000-4000-8000-000000000000',
};

/** A command envelope for tests: a fresh command uuid, fixed metadata unless overridden. */
export function command<Type extends string, Data extends object>(
  type: Type,
  aggregateType: string,
  aggregateUuid: string,
  data: Data,
  metadata: Partial<CommandMetadata> = {},
): CommandEnvelope<Type, Data> {
  return {
    commandType: type,
    commandUuid: randomUUID(),
    aggregateType,
    aggregateUuid,
    data,
    metadata: { ...testMetadata, ...metadata },
  };
}
