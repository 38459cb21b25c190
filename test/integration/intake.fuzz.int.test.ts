import { randomUUID } from 'node:crypto';
import path from 'node:path';
import fc from 'fast-check';
import kafkajs from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Projection } from '../../src/core/index.ts';
import { isHalted, skipHaltedEvent } from '../../src/eventlog/index.ts';
import { projectionGroupOf, projectorNameOf } from '../../src/projection/names.ts';
import { startProjector } from '../../src/projection/projector.ts';
import { aggregateGroupOf, startAggregateWorker } from '../../src/worker/aggregateWorker.ts';
import { foreignSchema, wireFormat, type ForeignSchema } from '../support/foreignProducer.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { recordTopics, type RecordedMessage, type TopicRecorder } from '../support/topicRecorder.ts';
import { rawKafka } from '../support/rawKafka.ts';

// kafkajs is CommonJS; Node's ESM loader does not see all its named exports.
const { Kafka, logLevel } = kafkajs;

/**
 * The intake contract, tried with generated messages sent by a raw kafkajs producer (headers, key
 * and wire format built here, as a producer in another language would): every message gets exactly
 * one outcome, the one the contract names; a good message after them on every partition goes
 * through; no projection halts on what the doors let through; the event topic carries the event
 * log. Repeat a run with FUZZ_SEED (and FUZZ_PATH) from its report; FUZZ_RUNS sets the run count,
 * FUZZ_SHRINK=1 shrinks a failing input (slow: each try is a round trip through the pipeline).
 */
const runs = Number(process.env.FUZZ_RUNS ?? 8);
const seed = process.env.FUZZ_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED);
const replayPath = process.env.FUZZ_PATH;
const shrink = process.env.FUZZ_SHRINK === '1';
/** Families to leave out (comma-separated names), to narrow a failure down by hand. */
const skipped = new Set((process.env.FUZZ_SKIP ?? '').split(',').filter(Boolean));
/** How long the good message after the generated ones may take: "within seconds". */
const tailDeadlineMs = 20_000;

type DeadCode = 'NOT_WIRE_FORMAT' | 'UNKNOWN_SCHEMA_ID' | 'UNDECODABLE' | 'UNKNOWN_MESSAGE_TYPE' | 'BAD_KEY' | 'BAD_HEADERS' | 'INVALID_DATA';
type Outcome = 'accepted' | 'rejected' | 'invalid' | 'projected' | `dead ${DeadCode}`;

interface Expected {
  readonly outcomes: readonly Outcome[];
  /** The header or field the reason (`processed_commands.reason` or `dlq-error`) must name. */
  readonly names?: string;
  /** The archived `data.name`: unstorable characters replaced by U+FFFD. */
  readonly archivedName?: string;
}

interface Planned {
  readonly family: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string | Buffer | string[]>;
  readonly partition?: number;
  readonly expected: Expected;
}

interface Sent extends Planned {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const loneSurrogateUtf8 = Buffer.from([0xed, 0xa0, 0x80]); // U+D800 as UTF-8 would spell it: not valid UTF-8
const bigString = (kB: number) => 'x'.repeat(kB * 1000);

const schemaFiles = {
  AddPeriod: 'roster/AddPeriod',
  EnrollStudent: 'roster/EnrollStudent',
  PeriodAdded: 'roster/PeriodAdded',
  StudentEnrolled: 'roster/StudentEnrolled',
  UnknownPeriod: 'roster/UnknownPeriod',
  ChangeStudentName: 'studentProfile/ChangeStudentName',
} as const;
type TypeName = keyof typeof schemaFiles;

// ---- generated input: plain data, so a failing case prints readably -------------------------

const validName = fc.oneof(fc.string({ maxLength: 24 }), fc.string({ unit: 'grapheme', maxLength: 8 })).filter((s) => !s.includes('\u0000'));
const notUuid = fc
  .oneof(
    fc.constantFrom('', 'x', 'abc', 'not-a-uuid', '12345', 'DROP TABLE events;--', '\u0000', '00000000-0000-0000-0000-00000000000g', '123e4567-e89b-12d3-a456-42661417400'),
    fc.constantFrom('uuid+space', 'uuid+nul', 'uuid-no-hyphens', 'uuid-truncated'),
    fc.string({ maxLength: 40 }),
  )
  .filter((s) => !uuidPattern.test(s));
/** Tags that stand for a value built from a fresh uuid, so the printed case stays short. */
function notUuidValue(tag: string): string {
  const uuid = randomUUID();
  switch (tag) {
    case 'uuid+space':
      return `${uuid} `;
    case 'uuid+nul':
      return `${uuid}\u0000`;
    case 'uuid-no-hyphens':
      return uuid.replaceAll('-', '');
    case 'uuid-truncated':
      return uuid.slice(0, 35);
    default:
      return tag;
  }
}
const badKeys = fc.oneof(fc.constantFrom(null, 'lone-surrogate-bytes'), notUuid);
const keyOf = (tag: string | null): Buffer | string | null => (tag === 'lone-surrogate-bytes' ? loneSurrogateUtf8 : tag === null ? null : notUuidValue(tag));
// Year 0000 and 29 February of a common year: Date.parse reads both, Postgres refuses both.
const notTime = fc.constantFrom('yesterday', 'not a time', '2024-13-45T25:61:00Z', '1700000000000', 'abc', '0000-01-01T00:00:00Z', '2023-02-29T12:00:00Z');
const foreignValue = fc.constantFrom('json', 'text', 'empty', 'null', 'magic-byte-only', 'four-bytes');
const unknownSchemaId = fc.oneof(fc.integer({ min: 2 ** 30, max: 2 ** 31 - 1 }), fc.integer({ min: -(2 ** 31), max: -1 }));

interface Family {
  readonly name: string;
  readonly weight: number;
  readonly arbitrary: fc.Arbitrary<unknown>;
  readonly build: (params: never) => Planned[];
}
const family = <P,>(name: string, weight: number, arbitrary: fc.Arbitrary<P>, build: (params: P) => Omit<Planned, 'family'>[]): Family => ({
  name,
  weight,
  arbitrary,
  build: (params: P) => build(params).map((p) => ({ ...p, family: name })),
});

interface Case {
  readonly family: string;
  readonly params: unknown;
}
function casesOf(families: readonly Family[]): fc.Arbitrary<Case> {
  return fc.oneof(...families.filter((f) => !skipped.has(f.name)).map((f) => ({ weight: f.weight, arbitrary: f.arbitrary.map((params): Case => ({ family: f.name, params })) })));
}

// ---- the test ------------------------------------------------------------------------------

describe('the intake under generated hostile input (property-based, raw kafkajs producer)', () => {
  let pipeline: IsolatedPipeline;
  let producer: Producer;
  let admin: Admin;
  let recorder: TopicRecorder;
  let rosterView: Projection;
  const running: { stop(): Promise<void> }[] = [];
  const schemas = {} as Record<TypeName, ForeignSchema>;
  let topics: { commands: string; events: string; commandsDlq: string; eventsDlq: string };
  let partitions: number;
  /** Every place (topic:partition:offset) this file produced to, over all runs. */
  const produced = new Set<string>();
  const sentCommandUuids = new Set<string>();

  beforeAll(async () => {
    pipeline = await isolatedPipeline('fuzz', { partitions: 3 });
    partitions = 3;
    const { runtime, settings, config, named } = pipeline;
    const roster = named('roster');
    topics = { commands: `${roster}.commands`, events: `${roster}.events`, commandsDlq: `${roster}.commands.dlq`, eventsDlq: `${roster}.events.dlq` };
    for (const [type, file] of Object.entries(schemaFiles)) {
      schemas[type as TypeName] = await foreignSchema(settings.registryUrl, path.join(projectRoot, 'avro', `${file}.avsc`));
    }
    rosterView = config.projections.find((p) => p.name === named('roster_view')) as Projection;
    running.push(await startAggregateWorker(runtime, { domains: [roster] }));
    // One projector on the event topic, so each bad event has exactly one dead letter.
    running.push(await startProjector(runtime, rosterView));
    recorder = await recordTopics(rawKafka(runtime), [topics.commandsDlq, topics.events, topics.eventsDlq]);
    const kafka = new Kafka({ clientId: 'fuzz-foreign-producer', brokers: settings.kafkaBrokers, logLevel: logLevel.NOTHING });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await recorder?.stop();
    for (const part of running) await part.stop();
    await pipeline?.cleanup();
  });

  const encode = (type: TypeName, data: Record<string, unknown>) => wireFormat(schemas[type].id, schemas[type].type.toBuffer(data));
  /** An Avro value whose `name` holds raw bytes no UTF-8 decoder reads as they are. */
  function encodeWithNameBytes(type: TypeName, data: Record<string, unknown>, bytes: Buffer): Buffer {
    const placeholder = '\u0001'.repeat(bytes.length);
    const value = encode(type, { ...data, name: placeholder });
    const at = value.indexOf(Buffer.from(placeholder));
    bytes.copy(value, at);
    return value;
  }
  /** The key, every uuid field and every uuid header in upper case. */
  function inUpperCase(s: Sound): Sound {
    const upper = <T,>(value: T) => (typeof value === 'string' && uuidPattern.test(value) ? value.toUpperCase() : value);
    const map = <T,>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, upper(v)]));
    return { ...s, key: s.key.toUpperCase(), data: map(s.data), headers: map(s.headers) };
  }
  const without = (headers: Record<string, string | Buffer>, name: string) => Object.fromEntries(Object.entries(headers).filter(([h]) => h !== name));

  // ---- commands ----

  interface Sound {
    key: string;
    type: TypeName;
    data: Record<string, unknown>;
    headers: Record<string, string | Buffer>;
  }
  function soundCommand(type: 'AddPeriod' | 'EnrollStudent', options: { roster?: string; name?: string; period?: string } = {}): Sound {
    const roster = options.roster ?? randomUUID();
    const data =
      type === 'AddPeriod'
        ? { roster_uuid: roster, period_uuid: options.period ?? randomUUID(), name: options.name ?? 'P1' }
        : { roster_uuid: roster, student_uuid: randomUUID(), period_uuid: options.period ?? randomUUID() };
    const headers = {
      'command-type': type,
      'command-uuid': randomUUID(),
      'aggregate-type': 'Roster',
      'issued-at': new Date().toISOString(),
      'issued-by': 'fuzz',
      role: 'test',
      'correlation-id': randomUUID(),
    };
    return { key: roster, type, data, headers };
  }
  const sent = (s: Sound, expected: Expected, changes: Partial<Omit<Planned, 'family' | 'expected'>> = {}): Omit<Planned, 'family'> => ({
    key: s.key,
    value: encode(s.type, s.data),
    headers: s.headers,
    expected,
    ...changes,
  });
  const dead = (code: DeadCode, names?: string): Expected => ({ outcomes: [`dead ${code}`], ...(names ? { names } : {}) });

  const commandUuidFields = [
    ['AddPeriod', 'roster_uuid'],
    ['AddPeriod', 'period_uuid'],
    ['EnrollStudent', 'roster_uuid'],
    ['EnrollStudent', 'student_uuid'],
    ['EnrollStudent', 'period_uuid'],
  ] as const;

  /** Wire-format families, the same on both topics: they replace a sound message's value. */
  function wireFamilies(sound: () => Sound, otherTypes: readonly TypeName[]): Family[] {
    return [
      family('truncated Avro', 2, fc.nat(), (cut) => {
        const s = sound();
        const value = encode(s.type, s.data);
        return [sent(s, dead('UNDECODABLE'), { value: value.subarray(0, 5 + (cut % (value.length - 5))) })];
      }),
      family('Avro with trailing bytes', 1, fc.uint8Array({ minLength: 1, maxLength: 8 }), (extra) => {
        const s = sound();
        return [sent(s, dead('UNDECODABLE'), { value: Buffer.concat([encode(s.type, s.data), Buffer.from(extra)]) })];
      }),
      family('foreign bytes', 2, foreignValue, (kind) => {
        const s = sound();
        const values: Record<typeof kind, Buffer | null> = {
          json: Buffer.from(JSON.stringify(s.data)),
          text: Buffer.from('hello'),
          empty: Buffer.alloc(0),
          null: null,
          'magic-byte-only': Buffer.from([0]),
          'four-bytes': Buffer.from([0, 0, 0, 1]),
        };
        return [sent(s, dead('NOT_WIRE_FORMAT'), { value: values[kind] })];
      }),
      family('unknown schema id', 1, unknownSchemaId, (id) => {
        const s = sound();
        return [sent(s, dead('UNKNOWN_SCHEMA_ID'), { value: wireFormat(id, schemas[s.type].type.toBuffer(s.data)) })];
      }),
      family('schema id of another type', 1, fc.constantFrom(...otherTypes), (type) => {
        const s = sound();
        const data = otherData(type, s.key);
        // The type header names the value's type, so the type alone is what is wrong.
        const typeHeader = 'command-type' in s.headers ? 'command-type' : 'event-type';
        return [sent(s, dead('UNKNOWN_MESSAGE_TYPE'), { value: encode(type, data), headers: { ...s.headers, [typeHeader]: type } })];
      }),
    ];
  }
  function otherData(type: TypeName, key: string): Record<string, unknown> {
    switch (type) {
      case 'ChangeStudentName':
        return { student_uuid: key, first: 'a', middle: null, last: 'b' };
      case 'AddPeriod':
      case 'PeriodAdded':
        return { roster_uuid: key, period_uuid: randomUUID(), name: 'P' };
      default:
        return { roster_uuid: key, student_uuid: randomUUID(), period_uuid: randomUUID() };
    }
  }

  const commandFamilies = (): Family[] => [
    family('valid AddPeriod', 8, fc.record({ name: validName, causation: fc.boolean(), issuer: fc.boolean(), time: fc.constantFrom('Z', '+01:00', 'no fraction') }), ({ name, causation, issuer, time }) => {
      const s = soundCommand('AddPeriod', { name });
      const now = new Date().toISOString();
      const issuedAt = time === 'Z' ? now : time === '+01:00' ? now.replace('Z', '+01:00') : now.replace(/\.\d+Z$/, 'Z');
      let headers: Record<string, string | Buffer> = { ...s.headers, 'issued-at': issuedAt, ...(causation ? { 'causation-id': randomUUID() } : {}) };
      if (!issuer) headers = without(without(headers, 'issued-by'), 'role');
      // The roster decider trims the name and refuses an empty one.
      const expected: Expected = name.trim() === '' ? { outcomes: ['invalid'], names: 'name' } : { outcomes: ['accepted'] };
      return [sent({ ...s, headers }, expected)];
    }),
    family('AddPeriod then EnrollStudent', 2, validName.filter((n) => n.trim() !== ''), (name) => {
      const add = soundCommand('AddPeriod', { name });
      const enroll = soundCommand('EnrollStudent', { roster: add.key, period: add.data.period_uuid as string });
      return [sent(add, { outcomes: ['accepted'] }), sent(enroll, { outcomes: ['accepted'] })];
    }),
    family('EnrollStudent to an unknown period', 1, fc.constant(null), () => [sent(soundCommand('EnrollStudent'), { outcomes: ['rejected'] })]),
    family('not a uuid in a uuid field', 4, fc.tuple(fc.constantFrom(...commandUuidFields), notUuid), ([[type, field], value]) => {
      const s = soundCommand(type);
      return [sent({ ...s, data: { ...s.data, [field]: notUuidValue(value) } }, { outcomes: ['invalid'], names: field })];
    }),
    family('NUL in a string', 3, fc.tuple(validName, validName), ([before, after]) => {
      const s = soundCommand('AddPeriod', { name: `${before}\u0000${after}` });
      return [sent(s, { outcomes: ['invalid'], names: 'name', archivedName: `${before}\uFFFD${after}` })];
    }),
    family('lone surrogate bytes in a string', 1, fc.constant(null), () => {
      // UTF-8 cannot carry a lone surrogate: a decoder reads these bytes as U+FFFD, which Postgres stores.
      const s = soundCommand('AddPeriod');
      return [{ ...sent(s, { outcomes: ['accepted', 'invalid'], names: 'name' }), value: encodeWithNameBytes(s.type, s.data, loneSurrogateUtf8) }];
    }),
    family('500 kB string', 1, fc.constantFrom('name', 'period_uuid'), (field) => {
      const s = soundCommand('AddPeriod');
      const expected: Expected = field === 'name' ? { outcomes: ['accepted'] } : { outcomes: ['invalid'], names: field };
      return [sent({ ...s, data: { ...s.data, [field]: bigString(500) } }, expected)];
    }),
    // Each fits a Kafka message; their events together do not fit one produce request's batch.
    family('500 kB strings to one aggregate', 1, fc.integer({ min: 2, max: 3 }), (count) => {
      const roster = randomUUID();
      return Array.from({ length: count }, () => sent(soundCommand('AddPeriod', { roster, name: bigString(500) }), { outcomes: ['accepted'] }));
    }),
    family('empty name', 1, fc.constant(null), () => [sent(soundCommand('AddPeriod', { name: '' }), { outcomes: ['invalid'], names: 'name' })]),
    family('key not a uuid', 3, badKeys, (key) => [sent(soundCommand('AddPeriod'), dead('BAD_KEY'), { key: keyOf(key) })]),
    family('roster_uuid not the key', 1, fc.constant(null), () => [sent(soundCommand('AddPeriod'), { outcomes: ['invalid'], names: 'roster_uuid' }, { key: randomUUID() })]),
    // RFC 9562: uuids are case-insensitive on input. A producer that writes them in upper case throughout is sound.
    family('uuids in upper case', 1, fc.constant(null), () => [sent(inUpperCase(soundCommand('AddPeriod')), { outcomes: ['accepted'] })]),
    family('header not a uuid', 3, fc.tuple(fc.constantFrom('command-uuid', 'correlation-id', 'causation-id'), notUuid.filter((v) => v !== '')), ([header, value]) => {
      const s = soundCommand('AddPeriod');
      return [sent(s, dead('BAD_HEADERS', header), { headers: { ...s.headers, [header]: notUuidValue(value) } })];
    }),
    family('header missing', 2, fc.constantFrom('command-type', 'command-uuid', 'aggregate-type', 'issued-at', 'correlation-id'), (header) => {
      const s = soundCommand('AddPeriod');
      return [sent(s, dead('BAD_HEADERS', header), { headers: without(s.headers, header) })];
    }),
    family('issued-at not a time', 1, notTime, (value) => {
      const s = soundCommand('AddPeriod');
      return [sent(s, dead('BAD_HEADERS', 'issued-at'), { headers: { ...s.headers, 'issued-at': value } })];
    }),
    family('unknown aggregate-type', 1, fc.constantFrom('Nope', 'roster', 'Album', 'Roster '), (value) => {
      const s = soundCommand('AddPeriod');
      return [sent(s, dead('BAD_HEADERS', 'aggregate-type'), { headers: { ...s.headers, 'aggregate-type': value } })];
    }),
    family('command-type not the value', 1, fc.constantFrom('EnrollStudent', 'Nope', 'PeriodAdded', 'addperiod'), (value) => {
      const s = soundCommand('AddPeriod');
      return [sent(s, dead('BAD_HEADERS', 'command-type'), { headers: { ...s.headers, 'command-type': value } })];
    }),
    family('5 kB header', 1, fc.constantFrom('issued-by', 'role', 'correlation-id', 'traceparent'), (header) => {
      const s = soundCommand('AddPeriod');
      return [sent(s, dead('BAD_HEADERS', header), { headers: { ...s.headers, [header]: bigString(5) } })];
    }),
    family('NUL in a text header', 1, fc.constantFrom('issued-by', 'role'), (header) => {
      const s = soundCommand('AddPeriod');
      return [sent(s, dead('BAD_HEADERS', header), { headers: { ...s.headers, [header]: 'a\u0000b' } })];
    }),
    family('header twice', 1, fc.constantFrom('command-uuid', 'correlation-id'), (header) => {
      const s = soundCommand('AddPeriod');
      return [sent(s, dead('BAD_HEADERS', header), { headers: { ...s.headers, [header]: [randomUUID(), randomUUID()] } })];
    }),
    ...wireFamilies(() => soundCommand('AddPeriod'), ['PeriodAdded', 'ChangeStudentName']),
  ];

  // ---- events ----

  function soundEvent(type: 'PeriodAdded' | 'StudentEnrolled' | 'UnknownPeriod', options: { name?: string } = {}): Sound {
    const roster = randomUUID();
    const data =
      type === 'PeriodAdded'
        ? { roster_uuid: roster, period_uuid: randomUUID(), name: options.name ?? 'P1' }
        : type === 'StudentEnrolled'
          ? { roster_uuid: roster, student_uuid: randomUUID(), period_uuid: randomUUID() }
          : { roster_uuid: roster, period_uuid: randomUUID(), command_type: 'EnrollStudent' };
    const headers = {
      'event-type': type,
      'event-uuid': randomUUID(),
      'aggregate-type': 'Roster',
      'aggregate-version': '1',
      'correlation-id': randomUUID(),
      'causation-id': randomUUID(),
      'causation-type': type === 'PeriodAdded' ? 'AddPeriod' : 'EnrollStudent',
      'recorded-at': new Date().toISOString(),
    };
    return { key: roster, type, data, headers };
  }
  const eventUuidFields = [
    ['PeriodAdded', 'roster_uuid'],
    ['PeriodAdded', 'period_uuid'],
    ['StudentEnrolled', 'student_uuid'],
    ['StudentEnrolled', 'period_uuid'],
  ] as const;
  const projected: Expected = { outcomes: ['projected'] };

  const eventFamilies = (): Family[] => [
    family('valid event', 8, fc.tuple(fc.constantFrom('PeriodAdded', 'StudentEnrolled', 'UnknownPeriod'), validName), ([type, name]) => [
      sent(soundEvent(type, { name }), projected),
    ]),
    family('not a uuid in a uuid field', 4, fc.tuple(fc.constantFrom(...eventUuidFields), notUuid), ([[type, field], value]) => {
      const s = soundEvent(type);
      return [sent({ ...s, data: { ...s.data, [field]: notUuidValue(value) } }, dead('INVALID_DATA', field))];
    }),
    family('NUL in a string', 3, fc.tuple(validName, validName), ([before, after]) => [
      sent(soundEvent('PeriodAdded', { name: `${before}\u0000${after}` }), dead('INVALID_DATA', 'name')),
    ]),
    family('lone surrogate bytes in a string', 1, fc.constant(null), () => {
      const s = soundEvent('PeriodAdded');
      return [{ ...sent(s, { outcomes: ['projected', 'dead INVALID_DATA'], names: 'name' }), value: encodeWithNameBytes(s.type, s.data, loneSurrogateUtf8) }];
    }),
    family('500 kB string', 1, fc.constant(null), () => [sent(soundEvent('PeriodAdded', { name: bigString(500) }), projected)]),
    family('empty name', 1, fc.constant(null), () => [sent(soundEvent('PeriodAdded', { name: '' }), projected)]),
    family('key not a uuid', 3, badKeys, (key) => [sent(soundEvent('PeriodAdded'), dead('BAD_KEY'), { key: keyOf(key) })]),
    family('uuids in upper case', 1, fc.constant(null), () => [sent(inUpperCase(soundEvent('PeriodAdded')), projected)]),
    // The contract does not say whether an event's data must name its key: either outcome, but one.
    family('roster_uuid not the key', 1, fc.constant(null), () => [
      sent(soundEvent('PeriodAdded'), { outcomes: ['projected', 'dead INVALID_DATA'], names: 'roster_uuid' }, { key: randomUUID() }),
    ]),
    family('header not a uuid', 3, fc.tuple(fc.constantFrom('event-uuid', 'correlation-id', 'causation-id'), notUuid.filter((v) => v !== '')), ([header, value]) => {
      const s = soundEvent('PeriodAdded');
      return [sent(s, dead('BAD_HEADERS', header), { headers: { ...s.headers, [header]: notUuidValue(value) } })];
    }),
    family(
      'header missing',
      2,
      fc.constantFrom('event-type', 'event-uuid', 'aggregate-type', 'aggregate-version', 'correlation-id', 'causation-id', 'recorded-at'),
      (header) => {
        const s = soundEvent('PeriodAdded');
        return [sent(s, dead('BAD_HEADERS', header), { headers: without(s.headers, header) })];
      },
    ),
    family('recorded-at not a time', 1, notTime, (value) => {
      const s = soundEvent('PeriodAdded');
      return [sent(s, dead('BAD_HEADERS', 'recorded-at'), { headers: { ...s.headers, 'recorded-at': value } })];
    }),
    family('aggregate-version not a positive integer', 1, fc.constantFrom('0', '-1', 'abc', '1.5'), (value) => {
      const s = soundEvent('PeriodAdded');
      return [sent(s, dead('BAD_HEADERS', 'aggregate-version'), { headers: { ...s.headers, 'aggregate-version': value } })];
    }),
    family('unknown aggregate-type', 1, fc.constantFrom('Nope', 'roster'), (value) => {
      const s = soundEvent('PeriodAdded');
      return [sent(s, dead('BAD_HEADERS', 'aggregate-type'), { headers: { ...s.headers, 'aggregate-type': value } })];
    }),
    family('event-type not the value', 1, fc.constantFrom('StudentEnrolled', 'Nope', 'periodadded'), (value) => {
      const s = soundEvent('PeriodAdded');
      return [sent(s, dead('BAD_HEADERS', 'event-type'), { headers: { ...s.headers, 'event-type': value } })];
    }),
    family('5 kB header', 1, fc.constantFrom('causation-type', 'correlation-id', 'event-uuid'), (header) => {
      const s = soundEvent('PeriodAdded');
      return [sent(s, dead('BAD_HEADERS', header), { headers: { ...s.headers, [header]: bigString(5) } })];
    }),
    ...wireFamilies(() => soundEvent('PeriodAdded'), ['AddPeriod', 'ChangeStudentName']),
  ];

  // ---- one run: produce, wait for the good message after them, check every outcome ----

  async function produce(topic: string, planned: readonly Planned[]): Promise<Sent[]> {
    const out: Sent[] = [];
    // One message per send: each gets its offset back, and two 500 kB values never share a request.
    for (const p of planned) {
      const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: p.key, value: p.value, headers: p.headers, partition: p.partition }] });
      const place = { topic, partition: meta!.partition, offset: meta!.baseOffset as string };
      produced.add(`${topic}:${place.partition}:${place.offset}`);
      out.push({ ...p, ...place });
    }
    return out;
  }

  const headerText = (headers: Record<string, unknown>, name: string) => {
    const raw = headers[name];
    return raw === undefined || raw === null ? undefined : Buffer.isBuffer(raw) ? raw.toString() : String(raw);
  };
  const uuidHeader = (s: Planned, name: string) => {
    const value = headerText(s.headers, name);
    return value !== undefined && uuidPattern.test(value) ? value.toLowerCase() : undefined;
  };
  const short = (text: string | null | undefined) => (text && text.length > 200 ? `${text.slice(0, 200)}… (${text.length} chars)` : String(text));

  async function eventually(what: string, done: () => Promise<boolean>, timeoutMs: number, explain: () => Promise<string>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms. ${await explain()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Where a group stands on a topic, and the generated messages from there on: the chunk it cannot get past. */
  async function stuckAt(groupId: string, topic: string, messages: readonly Sent[]): Promise<string> {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (offsets?.partitions ?? [])
      .map(({ partition, offset }) => {
        const ahead = messages.filter((m) => m.partition === partition && BigInt(m.offset) >= BigInt(offset === '-1' ? 0 : offset));
        return `partition ${partition} committed at ${offset}; next: ${ahead.slice(0, 5).map((m) => `${m.family}@${m.offset}`).join(', ') || 'nothing'}`;
      })
      .join('; ');
  }

  async function runOnce(commandCases: readonly Case[], eventCases: readonly Case[], commandFamilyList: readonly Family[], eventFamilyList: readonly Family[]) {
    const { runtime } = pipeline;
    const build = (list: readonly Family[], c: Case) => (list.find((f) => f.name === c.family) as Family).build(c.params as never);
    const startedAt = new Date();
    const tailCommands = Array.from({ length: partitions }, (_, partition) => ({ ...sent(soundCommand('AddPeriod'), { outcomes: ['accepted'] }), family: 'good command after them', partition }));
    const tailEvents = Array.from({ length: partitions }, (_, partition) => ({ ...sent(soundEvent('PeriodAdded'), projected), family: 'good event after them', partition }));
    const [commands, events] = await Promise.all([
      produce(topics.commands, [...commandCases.flatMap((c) => build(commandFamilyList, c)), ...tailCommands]),
      produce(topics.events, [...eventCases.flatMap((c) => build(eventFamilyList, c)), ...tailEvents]),
    ]);
    for (const c of commands) {
      const uuid = uuidHeader(c, 'command-uuid');
      if (uuid) sentCommandUuids.add(uuid);
    }

    const tailCommandUuids = commands.slice(-partitions).map((c) => uuidHeader(c, 'command-uuid') as string);
    const tailEventUuids = events.slice(-partitions).map((e) => uuidHeader(e, 'event-uuid') as string);
    const projector = projectorNameOf(rosterView);
    await eventually(
      'the good command after them on every partition processed',
      async () => (await runtime.pool.query(`select 1 from processed_commands where command_uuid = any($1::uuid[]) and outcome is not null`, [tailCommandUuids])).rowCount === partitions,
      tailDeadlineMs,
      () => stuckAt(aggregateGroupOf(pipeline.config.app), topics.commands, commands),
    );
    await eventually(
      'the good event after them on every partition projected',
      async () => (await runtime.pool.query(`select 1 from projected_events where projector = $1 and event_uuid = any($2::uuid[])`, [projector, tailEventUuids])).rowCount === partitions,
      tailDeadlineMs,
      async () => {
        const { rows } = await runtime.pool.query(`select event_uuid, error from projection_failures where projector = $1 and status = 'halted'`, [projector]);
        return `${await stuckAt(projectionGroupOf(pipeline.config.app, rosterView), topics.events, events)}; halted on ${JSON.stringify(rows).slice(0, 500)}`;
      },
    );
    // The worker publishes after its commit: wait until every logged event is on the topic.
    await eventually(
      'every event in the log published',
      async () => {
        await recorder.caughtUp();
        const published = new Set(recorder.messages(topics.events).map((m) => headerText(m.headers, 'event-uuid')));
        const { rows } = await runtime.pool.query<{ event_uuid: string }>(`select event_uuid::text from events`);
        return rows.every((r) => published.has(r.event_uuid));
      },
      tailDeadlineMs,
      async () => 'events in the log are missing from the topic',
    );

    const problems = [
      ...(await commandOutcomeProblems(commands)),
      ...(await eventOutcomeProblems(events)),
      ...strayDeadLetters(),
      ...(await strayCommandRows()),
      ...(await projectionFailuresSince(startedAt)),
      ...(await eventLogVersusTopic()),
    ];
    if (problems.length > 0) throw new Error(`${problems.length} broke the intake contract:\n${problems.join('\n')}`);
  }

  function deadLettersByPlace(dlqTopic: string): Map<string, RecordedMessage[]> {
    const byPlace = new Map<string, RecordedMessage[]>();
    for (const m of recorder.messages(dlqTopic)) {
      const place = `${headerText(m.headers, 'dlq-source-topic')}:${headerText(m.headers, 'dlq-source-partition')}:${headerText(m.headers, 'dlq-source-offset')}`;
      byPlace.set(place, [...(byPlace.get(place) ?? []), m]);
    }
    return byPlace;
  }

  interface Got {
    readonly outcome: string;
    readonly detail: string;
    readonly letter?: RecordedMessage;
    readonly data?: Record<string, unknown>;
  }

  /** What each family got, over all runs: printed at the end, the table docs/reliability.md quotes. */
  const tally = new Map<string, Map<string, number>>();
  function judge(s: Sent, got: readonly Got[]): string[] {
    const row = tally.get(`${s.topic.endsWith('.commands') ? 'command' : 'event'}: ${s.family}`) ?? new Map<string, number>();
    const seen = got.map((g) => g.outcome).join(' + ') || 'nothing';
    row.set(seen, (row.get(seen) ?? 0) + 1);
    tally.set(`${s.topic.endsWith('.commands') ? 'command' : 'event'}: ${s.family}`, row);
    const where = `${s.topic.endsWith('.commands') ? 'command' : 'event'} "${s.family}" at partition ${s.partition} offset ${s.offset}`;
    const expected = s.expected.outcomes.join(' or ');
    if (got.length !== 1) return [`${where}: ${got.length} outcomes (${got.map((g) => `${g.outcome}: ${short(g.detail)}`).join('; ') || 'none'}), expected ${expected}`];
    const [only] = got as [Got];
    const problems: string[] = [];
    if (!s.expected.outcomes.includes(only.outcome as Outcome)) problems.push(`${where}: ${only.outcome} (${short(only.detail)}), expected ${expected}`);
    else if (s.expected.names && only.outcome !== 'accepted' && only.outcome !== 'projected' && !only.detail.includes(s.expected.names)) {
      problems.push(`${where}: ${only.outcome} does not name ${s.expected.names}: ${short(only.detail)}`);
    }
    if (only.letter) {
      const same = (a: Buffer | null, b: Buffer | string | null) => (a === null || a.length === 0 ? b === null || b.length === 0 : b !== null && a.equals(Buffer.from(b)));
      if (!same(only.letter.value, s.value) || !same(only.letter.key, s.key)) problems.push(`${where}: the dead letter does not carry the original key and value`);
    }
    if (s.expected.archivedName !== undefined && only.data && only.data.name !== s.expected.archivedName) {
      problems.push(`${where}: archived name ${JSON.stringify(only.data.name)}, expected ${JSON.stringify(s.expected.archivedName)}`);
    }
    return problems;
  }

  async function commandOutcomeProblems(commands: readonly Sent[]): Promise<string[]> {
    const letters = deadLettersByPlace(topics.commandsDlq);
    const uuids = commands.map((c) => uuidHeader(c, 'command-uuid')).filter((u): u is string => u !== undefined);
    const { rows } = await pipeline.runtime.pool.query<{ command_uuid: string; outcome: string | null; reason: string | null; data: Record<string, unknown> }>(
      `select command_uuid::text, outcome, reason, data from processed_commands where command_uuid = any($1::uuid[])`,
      [uuids],
    );
    const recorded = new Map(rows.map((r) => [r.command_uuid, r]));
    // A uuid sent twice would count its row twice; every generated command uuid is fresh.
    return commands.flatMap((c) => {
      const row = recorded.get(uuidHeader(c, 'command-uuid') ?? '');
      const got: Got[] = [
        ...(letters.get(`${c.topic}:${c.partition}:${c.offset}`) ?? []).map((m) => deadGot(m)),
        ...(row ? [{ outcome: row.outcome ?? 'no outcome', detail: row.reason ?? '', data: row.data }] : []),
      ];
      return judge(c, got);
    });
  }

  async function eventOutcomeProblems(events: readonly Sent[]): Promise<string[]> {
    const letters = deadLettersByPlace(topics.eventsDlq);
    const uuids = events.map((e) => uuidHeader(e, 'event-uuid')).filter((u): u is string => u !== undefined);
    const { rows } = await pipeline.runtime.pool.query<{ event_uuid: string }>(
      `select event_uuid::text from projected_events where projector = $1 and event_uuid = any($2::uuid[])`,
      [projectorNameOf(rosterView), uuids],
    );
    const applied = new Set(rows.map((r) => r.event_uuid));
    return events.flatMap((e) => {
      const got: Got[] = [
        ...(letters.get(`${e.topic}:${e.partition}:${e.offset}`) ?? []).map((m) => deadGot(m)),
        ...(applied.has(uuidHeader(e, 'event-uuid') ?? '') ? [{ outcome: 'projected', detail: '' }] : []),
      ];
      return judge(e, got);
    });
  }

  const deadGot = (m: RecordedMessage): Got => ({
    outcome: `dead ${headerText(m.headers, 'dlq-error-code')}`,
    detail: headerText(m.headers, 'dlq-error') ?? '',
    letter: m,
  });

  /** The other side of the count: every dead letter belongs to a message this file produced. */
  function strayDeadLetters(): string[] {
    return [topics.commandsDlq, topics.eventsDlq].flatMap((dlq) =>
      [...deadLettersByPlace(dlq).keys()].filter((place) => !produced.has(place)).map((place) => `a dead letter on ${dlq} for ${place}, which this test never produced`),
    );
  }

  async function strayCommandRows(): Promise<string[]> {
    const { rows } = await pipeline.runtime.pool.query<{ command_uuid: string }>(`select command_uuid::text from processed_commands`);
    return rows.filter((r) => !sentCommandUuids.has(r.command_uuid)).map((r) => `processed_commands has ${r.command_uuid}, a uuid this test never sent`);
  }

  async function projectionFailuresSince(startedAt: Date): Promise<string[]> {
    const { rows } = await pipeline.runtime.pool.query<{ projector: string; event_uuid: string; error: string }>(
      `select projector, event_uuid::text, error from projection_failures where failed_at >= $1`,
      [startedAt],
    );
    return rows.map((r) => `projection ${r.projector} failed on event ${r.event_uuid}: ${short(r.error)}`);
  }

  /** The worker's events on the topic, per aggregate in order, are the event log's. */
  async function eventLogVersusTopic(): Promise<string[]> {
    const onTopic = new Map<string, string[]>();
    for (const m of recorder.messages(topics.events)) {
      if (produced.has(`${m.topic}:${m.partition}:${m.offset}`)) continue;
      // A uuid is case-insensitive: the log's stream id is Postgres's lower-case text of it.
      const key = m.key?.toString().toLowerCase() ?? '';
      const uuid = headerText(m.headers, 'event-uuid') ?? '';
      const list = onTopic.get(key) ?? [];
      // A re-published event (a redelivered command) repeats uuids already listed.
      if (!list.includes(uuid)) list.push(uuid);
      onTopic.set(key, list);
    }
    const { rows } = await pipeline.runtime.pool.query<{ stream_id: string; uuids: string[] }>(
      `select stream_id::text, array_agg(event_uuid::text order by version) as uuids from events group by stream_id`,
    );
    const problems = rows
      .filter((r) => JSON.stringify(onTopic.get(r.stream_id)) !== JSON.stringify(r.uuids))
      .map((r) => `aggregate ${r.stream_id}: the log has ${r.uuids.join(', ')}, the topic ${onTopic.get(r.stream_id)?.join(', ') ?? 'nothing'}`);
    const logged = new Set(rows.map((r) => r.stream_id));
    for (const key of onTopic.keys()) if (!logged.has(key)) problems.push(`the worker published events of ${key}, which the log does not have`);
    return problems;
  }

  it(`gives every generated message exactly one outcome, the contract's (seed ${seed})`, { timeout: 600_000 }, async () => {
    const commandFamilyList = commandFamilies();
    const eventFamilyList = eventFamilies();
    console.info(`intake fuzz: seed ${seed}, ${runs} runs (repeat with FUZZ_SEED=${seed})`);
    await fc.assert(
      fc.asyncProperty(
        fc.array(casesOf(commandFamilyList), { minLength: 20, maxLength: 60 }),
        fc.array(casesOf(eventFamilyList), { minLength: 10, maxLength: 40 }),
        async (commandCases, eventCases) => {
          try {
            await runOnce(commandCases, eventCases, commandFamilyList, eventFamilyList);
          } finally {
            // A halted projection would fail every later run (and every shrink step) for the same event.
            const projector = projectorNameOf(rosterView);
            while (await isHalted(pipeline.runtime.pool, projector)) await skipHaltedEvent(pipeline.runtime.pool, projector);
          }
        },
      ),
      { seed, numRuns: runs, endOnFailure: !shrink, includeErrorInReport: true, ...(replayPath ? { path: replayPath } : {}) },
    );
    const lines = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([name, outcomes]) => `  ${name}: ${[...outcomes].map(([o, n]) => `${o} ×${n}`).join(', ')}`);
    console.info(`intake fuzz: ${[...tally.values()].reduce((sum, o) => sum + [...o.values()].reduce((a, b) => a + b, 0), 0)} messages\n${lines.join('\n')}`);
  });
});
