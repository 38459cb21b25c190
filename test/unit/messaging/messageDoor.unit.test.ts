import type { TransportMessage } from '../../../src/messaging/transport.ts';
import { describe, expect, it } from 'vitest';
import type { Domain } from '../../../src/core/index.ts';
import type { Codec, Decoded } from '../../../src/messaging/codec.ts';
import { isPoisonMessage } from '../../../src/messaging/errors.ts';
import { commandAtDoor, eventAtDoor, MAX_HEADER_BYTES } from '../../../src/messaging/messageDoor.ts';

const domain = {
  name: 'roster',
  aggregateType: 'Roster',
  commandTypes: ['AddPeriod'],
  eventTypes: ['PeriodAdded'],
} as unknown as Domain;

const aggregate = '0b6f2a52-8d3e-4c1a-9f4e-2a3b4c5d6e7f';
const uuid = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

/** A codec whose value is the decoded message itself, as JSON: the door's logic without a registry. */
const codec = {
  decode: async (value: Buffer | null) => JSON.parse(String(value)) as Decoded,
  problems: (_type: string, data: unknown) => ((data as { bad?: boolean }).bad ? ['bad: "x" is not a uuid'] : []),
} as unknown as Codec;

const value = (typeName: string, data: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ typeName, writerTypeName: typeName, schemaId: 1, data }));

const commandMessage = (headers: Record<string, string | Buffer | (string | Buffer)[] | undefined>, key: string | null = aggregate): TransportMessage =>
  ({
    key: key === null ? null : Buffer.from(key),
    value: value('AddPeriod'),
    offset: '0',
    headers: {
      'command-type': 'AddPeriod',
      'command-uuid': uuid,
      'aggregate-type': 'Roster',
      'issued-at': '2026-12-04T21:46:25.123Z',
      'correlation-id': uuid,
      ...headers,
    },
  }) as unknown as TransportMessage;

async function refusal(message: TransportMessage, door: (m: TransportMessage, d: Domain, c: Codec) => Promise<unknown> = commandAtDoor) {
  try {
    await door(message, domain, codec);
  } catch (error) {
    if (isPoisonMessage(error)) return { code: error.code, reason: error.message };
    throw error;
  }
  throw new Error('the door let the message in');
}

describe('the command door', () => {
  it('lets a sound command in, with its uuids in canonical form', async () => {
    const command = await commandAtDoor(commandMessage({ 'command-uuid': uuid.toUpperCase() }, aggregate.toUpperCase()), domain, codec);
    expect(command).toMatchObject({ commandType: 'AddPeriod', commandUuid: uuid, aggregateUuid: aggregate, aggregateType: 'Roster' });
    expect(command.metadata).toEqual({ issuedAt: '2026-12-04T21:46:25.123Z', issuedBy: 'unknown', role: 'unknown', correlationId: uuid });
  });

  it.each([
    ['a key that is not a uuid', commandMessage({}, 'not-a-key'), 'BAD_KEY', 'the key "not-a-key" is not a uuid'],
    ['no key', commandMessage({}, null), 'BAD_KEY', 'no key'],
    ['a command-uuid that is not a uuid', commandMessage({ 'command-uuid': 'abc' }), 'BAD_HEADERS', 'header command-uuid "abc" is not a uuid'],
    ['a correlation-id that is not a uuid', commandMessage({ 'correlation-id': 'x' }), 'BAD_HEADERS', 'header correlation-id "x" is not a uuid'],
    ['a causation-id that is not a uuid', commandMessage({ 'causation-id': 'y' }), 'BAD_HEADERS', 'header causation-id "y" is not a uuid'],
    ['an issued-at that is not a time', commandMessage({ 'issued-at': 'yesterday' }), 'BAD_HEADERS', 'header issued-at "yesterday" is not an ISO-8601 time'],
    ['an impossible date', commandMessage({ 'issued-at': '2026-13-45T99:00:00Z' }), 'BAD_HEADERS', 'header issued-at'],
    ['a day past the end of its month', commandMessage({ 'issued-at': '2024-02-30T10:00:00Z' }), 'BAD_HEADERS', 'header issued-at "2024-02-30T10:00:00Z"'],
    ['another aggregate type', commandMessage({ 'aggregate-type': 'Album' }), 'BAD_HEADERS', 'header aggregate-type "Album" is not one of Roster'],
    ['a missing command-uuid', commandMessage({ 'command-uuid': undefined }), 'BAD_HEADERS', 'header command-uuid is missing'],
    ['a NUL in issued-by', commandMessage({ 'issued-by': 'a\u0000b' }), 'BAD_HEADERS', 'header issued-by "a\\u0000b" holds the character U+0000'],
    ['a header longer than the limit', commandMessage({ trace: 'x'.repeat(MAX_HEADER_BYTES + 1) }), 'BAD_HEADERS', `header trace is longer than ${MAX_HEADER_BYTES} bytes`],
    ['a repeated command-uuid', commandMessage({ 'command-uuid': [uuid, uuid] }), 'BAD_HEADERS', 'header command-uuid appears 2 times'],
    ['a type header naming another type', commandMessage({ 'command-type': 'DropStudent' }), 'BAD_HEADERS', 'header command-type "DropStudent" does not match'],
  ])('dead-letters %s, naming it', async (_case, message, code, reason) => {
    const refused = await refusal(message);
    expect(refused.code).toBe(code);
    expect(refused.reason).toContain(reason);
  });

  it('names every bad header at once', async () => {
    const refused = await refusal(commandMessage({ 'command-uuid': 'abc', 'issued-at': 'now', 'correlation-id': undefined }));
    expect(refused.reason.split('; ')).toHaveLength(3);
  });

  it('refuses a value of a type the domain does not handle', async () => {
    const message = { ...commandMessage({ 'command-type': 'PeriodAdded' }), value: value('PeriodAdded') } as TransportMessage;
    expect(await refusal(message)).toMatchObject({ code: 'UNKNOWN_MESSAGE_TYPE' });
  });
});

const eventMessage = (headers: Record<string, string | undefined>, data: Record<string, unknown> = {}): TransportMessage =>
  ({
    key: Buffer.from(aggregate),
    value: value('PeriodAdded', data),
    offset: '0',
    headers: {
      'event-type': 'PeriodAdded',
      'event-uuid': uuid,
      'aggregate-type': 'Roster',
      'aggregate-version': '3',
      'correlation-id': uuid,
      'causation-id': uuid,
      'causation-type': 'AddPeriod',
      'recorded-at': '2026-12-04T21:46:25Z',
      ...headers,
    },
  }) as unknown as TransportMessage;

describe('the event door', () => {
  it('lets a sound event in', async () => {
    const event = await eventAtDoor(eventMessage({}), domain, codec);
    expect(event).toMatchObject({ eventType: 'PeriodAdded', eventUuid: uuid, aggregateVersion: 3n, causedBy: { commandType: 'AddPeriod', commandUuid: uuid } });
  });

  it.each([
    ['an aggregate-version of 0', eventMessage({ 'aggregate-version': '0' }), 'BAD_HEADERS', 'header aggregate-version "0" is not a positive integer'],
    ['an aggregate-version past a bigint', eventMessage({ 'aggregate-version': '9223372036854775808' }), 'BAD_HEADERS', 'aggregate-version'],
    ['an event-uuid that is not a uuid', eventMessage({ 'event-uuid': 'e' }), 'BAD_HEADERS', 'header event-uuid "e" is not a uuid'],
    ['a recorded-at that is not a time', eventMessage({ 'recorded-at': '1' }), 'BAD_HEADERS', 'header recorded-at "1"'],
    ['data its schema refuses', eventMessage({}, { bad: true }), 'INVALID_DATA', 'bad: "x" is not a uuid'],
  ])('dead-letters %s, naming it', async (_case, message, code, reason) => {
    const refused = await refusal(message, eventAtDoor);
    expect(refused.code).toBe(code);
    expect(refused.reason).toContain(reason);
  });
});
