import { buildCommand, createCommandSender, type CommandInput, type CommandSender } from '../client/commandSender.ts';
import type { CommandEnvelope } from '../core/index.ts';
import { isInvalidMessage } from '../messaging/errors.ts';
import type { Runtime } from '../runtime.ts';
import { withDeadline } from './deadline.ts';
import { HttpError } from './http.ts';
import { isUuid } from './queries/input.ts';

const envelopeFields = ['commandType', 'aggregateUuid', 'data', 'commandUuid', 'metadata'];
const metadataFields = ['issuedBy', 'role', 'correlationId'];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Names the envelope's problems in the body's own words (`aggregateUuid`, `data.name`). */
function inBodyTerms(problem: string): string {
  if (problem.startsWith('aggregate:')) return `aggregateUuid:${problem.slice('aggregate:'.length)}`;
  if (problem.startsWith('commandType:') || problem.startsWith('commandUuid:') || problem.startsWith('metadata.')) return problem;
  if (problem.startsWith('correlationId:')) return `metadata.${problem}`;
  return problem.startsWith('(the whole record)') ? `data${problem.slice('(the whole record)'.length)}` : `data.${problem}`;
}

function shapeProblems(body: unknown): string[] {
  if (!isObject(body)) return ['(the body): must be a JSON object { commandType, aggregateUuid, data, commandUuid?, metadata? }'];
  const problems: string[] = [];
  for (const key of Object.keys(body)) if (!envelopeFields.includes(key)) problems.push(`${key.slice(0, 100)}: not a field of a command envelope`);
  if (typeof body.commandType !== 'string') problems.push('commandType: missing (a string naming the command)');
  if (typeof body.aggregateUuid !== 'string') problems.push('aggregateUuid: missing (the target aggregate uuid)');
  if (!isObject(body.data)) problems.push('data: missing (an object with the command\'s fields)');
  if (body.commandUuid !== undefined && typeof body.commandUuid !== 'string') problems.push('commandUuid: must be a uuid string');
  if (body.metadata !== undefined) {
    if (!isObject(body.metadata)) problems.push('metadata: must be an object { issuedBy?, role?, correlationId? }');
    else {
      const m = body.metadata;
      for (const key of Object.keys(m)) {
        if (key === 'issuedAt') problems.push('metadata.issuedAt: set by the gateway when it receives the command');
        else if (!metadataFields.includes(key)) problems.push(`metadata.${key.slice(0, 100)}: not a metadata field`);
      }
      if (m.issuedBy !== undefined && (typeof m.issuedBy !== 'string' || m.issuedBy.length > 200)) problems.push('metadata.issuedBy: must be a string of at most 200 characters');
      if (m.role !== undefined && (typeof m.role !== 'string' || m.role.length > 100)) problems.push('metadata.role: must be a string of at most 100 characters');
      // The event log stores the correlation id as a uuid; anything else would fail in the worker.
      if (m.correlationId !== undefined && (typeof m.correlationId !== 'string' || !isUuid(m.correlationId))) problems.push('metadata.correlationId: must be a uuid');
    }
  }
  return problems;
}

/**
 * Turns a posted body into a validated command envelope, or refuses it with every problem at
 * once: the envelope's shape, then the data against the command's Avro schema (buildCommand).
 */
export function commandFromBody(runtime: Pick<Runtime, 'codec' | 'domainOfCommand' | 'config'>, body: unknown): CommandEnvelope {
  const problems = shapeProblems(body);
  const b = (isObject(body) ? body : {}) as Record<string, unknown>;
  if (problems.length > 0) {
    // Still check the data, so one answer names every failing field.
    if (typeof b.commandType === 'string' && !runtime.domainOfCommand(b.commandType)) {
      problems.push(`commandType: unknown command; known commands are ${runtime.config.domains.flatMap((d) => d.commandTypes).join(', ')}`);
    } else if (typeof b.commandType === 'string' && isObject(b.data)) {
      problems.push(...runtime.codec.problems(b.commandType, b.data).map(inBodyTerms));
    }
    throw new HttpError(400, 'the command was refused before anything was sent', problems);
  }
  const metadata = (b.metadata ?? {}) as Record<string, string | undefined>;
  const input: CommandInput = {
    commandType: b.commandType as string,
    aggregateUuid: b.aggregateUuid as string,
    data: b.data as Record<string, unknown>,
    commandUuid: b.commandUuid as string | undefined,
    metadata: { issuedBy: metadata.issuedBy ?? 'http', role: metadata.role ?? 'api', correlationId: metadata.correlationId },
  };
  try {
    return buildCommand(runtime, input);
  } catch (error) {
    if (isInvalidMessage(error)) throw new HttpError(400, `${error.typeName.slice(0, 100)} was refused before anything was sent`, error.problems.map(inBodyTerms));
    throw error;
  }
}

export interface CommandIntake {
  /** Produces a validated command; throws TimedOut or Kafka's error when Kafka did not take it in time. */
  produce(command: CommandEnvelope): Promise<void>;
  close(): Promise<void>;
}

/**
 * The gateway's producer, connected when first needed and again after a failure, so the gateway
 * starts and serves reads while Kafka is down, and answers 503 to commands meanwhile.
 */
export function createCommandIntake(runtime: Runtime, produceTimeoutMs: number): CommandIntake {
  let sender: Promise<CommandSender> | undefined;
  const connected = () => {
    if (!sender) {
      const attempt = createCommandSender(runtime);
      sender = attempt;
      attempt.catch(() => {
        if (sender === attempt) sender = undefined;
      });
    }
    return sender;
  };
  return {
    async produce(command) {
      const input: CommandInput = { ...command, commandUuid: command.commandUuid, metadata: command.metadata };
      await withDeadline(
        connected().then((s) => s.send(input)),
        produceTimeoutMs,
        'Kafka',
      );
    },
    async close() {
      const current = sender;
      sender = undefined;
      await withDeadline(current?.then((s) => s.close()) ?? Promise.resolve(), 2000, 'Kafka').catch(() => undefined);
    },
  };
}
