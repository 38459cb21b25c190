import type { MessageHeaders, TransportMessage } from './transport.ts';
import { isIsoTime, isUuid, unstorableTextProblem, type CommandEnvelope, type Domain, type RecordedEvent } from '../core/index.ts';
import type { Codec, Decoded } from './codec.ts';
import { header } from './envelopeHeaders.ts';
import { PoisonMessage } from './errors.ts';

/**
 * The door every Kafka message passes before anything of it reaches SQL, a decider, a projection
 * or a reactor, whoever produced it: streamfold's sender or a service in another language. What
 * no retry can make readable throws a PoisonMessage naming the header or field, and is
 * dead-lettered with it; what passes is typed, and everything past the door trusts those types.
 * A command's data problems (a field that is not a uuid, text Postgres cannot store) are not
 * poison: its envelope is sound, so it is recorded as `invalid` with the field named (decideCommand).
 */

/** No envelope header needs more; a W3C tracestate, the longest common foreign header, is 512. */
export const MAX_HEADER_BYTES = 1024;

const maxAggregateVersion = 2n ** 63n - 1n;

/** Reads and checks a message's headers: every present one sane, every required one there once. */
class HeaderReader {
  // Created at the first problem: nearly every message has none.
  private problems: Map<string, string> | undefined;

  constructor(private readonly headers: MessageHeaders) {
    // Every header is judged, foreign ones too, without a copy of any: every message of a replay comes through here.
    for (const name in headers) {
      if (!Object.hasOwn(headers, name)) continue;
      const problem = unreadableHeader(headers[name]);
      if (problem) this.problem(name, problem);
    }
  }

  private problem(name: string, problem: string): void {
    (this.problems ??= new Map()).set(name, problem);
  }

  /** A header that must be there, once, with storable text that passes the check. */
  required(name: string, check?: (value: string) => string | undefined): string {
    const value = this.optional(name, check);
    if (value === undefined && !this.problems?.has(name)) this.problem(name, 'is missing');
    return value ?? '';
  }

  optional(name: string, check?: (value: string) => string | undefined): string | undefined {
    // A header judged insane has its problem already; the constructor let through at most one value of any other.
    if (this.problems?.has(name) || !Object.hasOwn(this.headers, name)) return undefined;
    const raw = this.headers[name];
    const present = Array.isArray(raw) ? raw.find((v) => v !== undefined && v !== null) : raw;
    if (present === undefined || present === null) return undefined;
    const value = present.toString();
    if (value === '') return undefined;
    const problem = unstorableTextProblem(value) ?? check?.(value);
    if (problem) this.problem(name, `${printable(value)} ${problem}`);
    return problem ? undefined : value;
  }

  /** Throws every problem found, at once. Foreign headers count only when too long or repeated. */
  settle(): void {
    if (!this.problems) return;
    throw new PoisonMessage('BAD_HEADERS', [...this.problems].map(([name, problem]) => `header ${headerName(name)} ${problem}`).join('; '));
  }
}

/** What makes a header unreadable, whoever it is for: too long, or given more than once. */
function unreadableHeader(raw: MessageHeaders[string]): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) return Buffer.byteLength(raw) > MAX_HEADER_BYTES ? `is longer than ${MAX_HEADER_BYTES} bytes` : undefined;
  const present = raw.filter((v) => v !== undefined && v !== null);
  if (present.some((v) => Buffer.byteLength(v) > MAX_HEADER_BYTES)) return `is longer than ${MAX_HEADER_BYTES} bytes`;
  // A repeated envelope header is ambiguous: which command uuid would be the one?
  return present.length > 1 ? `appears ${present.length} times` : undefined;
}

const uuid = (value: string) => (isUuid(value) ? undefined : 'is not a uuid');
const isoTime = (value: string) => (isIsoTime(value) ? undefined : 'is not an ISO-8601 time with an offset (2026-12-04T21:46:25.123Z)');
const positiveVersion = (value: string) => (/^[1-9]\d{0,18}$/.test(value) && BigInt(value) <= maxAggregateVersion ? undefined : 'is not a positive integer');
const oneOf = (known: readonly string[]) => (value: string) => (known.includes(value) ? undefined : `is not one of ${known.join(', ')}`);

/** The Kafka key: the aggregate uuid, in canonical (lowercase) form. */
function aggregateKey(message: TransportMessage): string {
  const key = message.key?.toString();
  if (!key) throw new PoisonMessage('BAD_KEY', 'the message has no key (the aggregate uuid)');
  if (!isUuid(key)) throw new PoisonMessage('BAD_KEY', `the key ${printable(key)} is not a uuid (the aggregate uuid)`);
  return key.toLowerCase();
}

/** A command from its topic: envelope from the key and headers, data from the decoded value. */
export async function commandAtDoor(message: TransportMessage, domain: Domain, codec: Codec): Promise<CommandEnvelope> {
  const aggregateUuid = aggregateKey(message);
  const h = new HeaderReader(message.headers ?? {});
  const commandType = h.required(header.commandType);
  const commandUuid = h.required(header.commandUuid, uuid);
  h.required(header.aggregateType, oneOf([domain.aggregateType]));
  const issuedAt = h.required(header.issuedAt, isoTime);
  const correlationId = h.required(header.correlationId, uuid);
  const causationId = h.optional(header.causationId, uuid);
  const issuedBy = h.optional(header.issuedBy) ?? 'unknown';
  const role = h.optional(header.role) ?? 'unknown';
  h.settle();
  const decoded = await codec.decode(message.value);
  matchTypeHeader(header.commandType, commandType, decoded);
  if (!domain.commandTypes.includes(decoded.typeName)) {
    throw new PoisonMessage('UNKNOWN_MESSAGE_TYPE', `${decoded.typeName} is not a command of the ${domain.name} domain`);
  }
  return {
    commandType: decoded.typeName,
    commandUuid: commandUuid.toLowerCase(),
    aggregateType: domain.aggregateType,
    aggregateUuid,
    data: decoded.data,
    metadata: {
      issuedAt,
      issuedBy,
      role,
      correlationId: correlationId.toLowerCase(),
      ...(causationId ? { causationId: causationId.toLowerCase() } : {}),
    },
  };
}

/**
 * An event from its topic. Only streamfold's worker should write there, so data that does not
 * fit today's schema is poison too: it never reaches a projection's SQL.
 */
export async function eventAtDoor(message: TransportMessage, domain: Domain, codec: Codec): Promise<RecordedEvent> {
  const aggregateUuid = aggregateKey(message);
  const h = new HeaderReader(message.headers ?? {});
  const eventType = h.required(header.eventType);
  const eventUuid = h.required(header.eventUuid, uuid);
  h.required(header.aggregateType, oneOf([domain.aggregateType]));
  const aggregateVersion = h.required(header.aggregateVersion, positiveVersion);
  const correlationId = h.required(header.correlationId, uuid);
  const causationId = h.required(header.causationId, uuid);
  const causationType = h.required(header.causationType);
  const recordedAt = h.required(header.recordedAt, isoTime);
  h.settle();
  const decoded = await codec.decode(message.value);
  matchTypeHeader(header.eventType, eventType, decoded);
  if (!domain.eventTypes.includes(decoded.typeName)) {
    throw new PoisonMessage('UNKNOWN_MESSAGE_TYPE', `${decoded.typeName} is not an event of the ${domain.name} domain`);
  }
  const problems = codec.problems(decoded.typeName, decoded.data);
  if (problems.length > 0) throw new PoisonMessage('INVALID_DATA', `${decoded.typeName} does not fit its schema: ${problems.join('; ')}`);
  return {
    eventType: decoded.typeName,
    eventUuid: eventUuid.toLowerCase(),
    aggregateType: domain.aggregateType,
    aggregateUuid,
    aggregateVersion: BigInt(aggregateVersion),
    causedBy: { commandType: causationType, commandUuid: causationId.toLowerCase() },
    correlationId: correlationId.toLowerCase(),
    recordedAt,
    data: decoded.data,
  };
}

/** The type header names the writer's schema: a mismatch means the headers describe another message. */
function matchTypeHeader(name: string, value: string, decoded: Decoded): void {
  if (value !== decoded.writerTypeName) {
    throw new PoisonMessage('BAD_HEADERS', `header ${name} ${printable(value)} does not match the value's schema ${decoded.writerTypeName}`);
  }
}

/** A foreign value in a reason: quoted and cut short; JSON escapes control characters and lone surrogates. */
const headerName = (name: string) => (/^[\w.-]{1,60}$/.test(name) ? name : printable(name));

const printable = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
