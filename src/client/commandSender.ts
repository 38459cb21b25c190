import { randomUUID } from 'node:crypto';
import { commandTopicOf, isIsoTime, isUuid, unstorableTextProblems, type CommandEnvelope, type CommandMetadata } from '../core/index.ts';
import { coalescedSends } from '../messaging/coalescedSends.ts';
import { commandHeaders } from '../messaging/envelopeHeaders.ts';
import { InvalidMessage } from '../messaging/errors.ts';
import { MAX_HEADER_BYTES } from '../messaging/messageDoor.ts';
import type { OutgoingMessage, TransportProducer } from '../messaging/transport.ts';
import type { Runtime } from '../runtime.ts';

export interface CommandInput {
  readonly commandType: string;
  readonly aggregateUuid: string;
  readonly data: Record<string, unknown>;
  readonly commandUuid?: string;
  readonly metadata?: Partial<CommandMetadata>;
}

export interface CommandSender {
  send(input: CommandInput): Promise<CommandEnvelope>;
  /** Validates all first (nothing is produced if one is bad), then produces them in one request per topic. */
  sendMany(inputs: readonly CommandInput[]): Promise<CommandEnvelope[]>;
  close(): Promise<void>;
}

/** Builds the envelope and checks it against its Avro schema; names every failing field. */
export function buildCommand(runtime: Pick<Runtime, 'codec' | 'domainOfCommand' | 'config'>, input: CommandInput): CommandEnvelope {
  const domain = runtime.domainOfCommand(input.commandType);
  if (!domain) {
    const known = runtime.config.domains.flatMap((d) => d.commandTypes).join(', ');
    throw new InvalidMessage(input.commandType, [`commandType: unknown command; known commands are ${known}`]);
  }
  const problems: string[] = [];
  if (!isUuid(input.aggregateUuid)) problems.push(`aggregate: ${JSON.stringify(input.aggregateUuid)} is not a uuid`);
  if (input.commandUuid !== undefined && !isUuid(input.commandUuid)) problems.push(`commandUuid: ${JSON.stringify(input.commandUuid)} is not a uuid`);
  const { correlationId, causationId, issuedAt } = input.metadata ?? {};
  if (correlationId !== undefined && !isUuid(correlationId)) problems.push(`correlationId: ${JSON.stringify(correlationId)} is not a uuid`);
  if (causationId !== undefined && !isUuid(causationId)) problems.push(`causationId: ${JSON.stringify(causationId)} is not a uuid`);
  if (issuedAt !== undefined && !isIsoTime(issuedAt)) problems.push(`issuedAt: ${JSON.stringify(issuedAt)} is not an ISO-8601 time`);
  // The metadata travels in headers and is archived as jsonb: the worker's door would refuse it.
  problems.push(...unstorableTextProblems(input.metadata ?? {}, 'metadata'));
  for (const [name, value] of Object.entries(input.metadata ?? {})) {
    if (typeof value === 'string' && Buffer.byteLength(value) > MAX_HEADER_BYTES) problems.push(`metadata.${name}: longer than ${MAX_HEADER_BYTES} bytes`);
  }
  problems.push(...runtime.codec.problems(input.commandType, input.data));
  if (problems.length > 0) throw new InvalidMessage(input.commandType, problems);
  // Uuids in one spelling, as the worker's door would make them: the key decides the partition.
  const commandUuid = input.commandUuid?.toLowerCase() ?? randomUUID();
  return {
    commandType: input.commandType,
    commandUuid,
    aggregateType: domain.aggregateType,
    aggregateUuid: input.aggregateUuid.toLowerCase(),
    data: runtime.codec.canonical(input.commandType, input.data),
    metadata: {
      issuedAt: input.metadata?.issuedAt ?? new Date().toISOString(),
      issuedBy: input.metadata?.issuedBy ?? 'anonymous',
      role: input.metadata?.role ?? 'unknown',
      correlationId: input.metadata?.correlationId?.toLowerCase() ?? commandUuid,
    },
  };
}

/** Produces command envelopes as they are (reactors use it: their commands carry derived uuids). */
export async function produceCommands(runtime: Runtime, producer: TransportProducer, commands: readonly CommandEnvelope[]): Promise<void> {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const command of commands) {
    const domain = runtime.domainOfCommand(command.commandType);
    if (!domain) throw new InvalidMessage(command.commandType, ['commandType: unknown command']);
    const topic = commandTopicOf(domain);
    const message = { key: command.aggregateUuid, value: runtime.codec.encode(command.commandType, command.data).value, headers: commandHeaders(command) };
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
  }
  if (byTopic.size === 0) return;
  await producer.send([...byTopic].map(([topic, messages]) => ({ topic, messages })));
}

/** Sends commands: validated before anything is produced, keyed by aggregate uuid. */
export async function createCommandSender(runtime: Runtime): Promise<CommandSender> {
  const producer = runtime.transport.producer();
  await producer.connect();
  // Concurrent sends (a gateway's requests, a load of them) share produce requests.
  const produce = coalescedSends<CommandEnvelope>((commands) => produceCommands(runtime, producer, commands), (error) => runtime.transport.isBrokerAway(error));
  return {
    async send(input) {
      const command = buildCommand(runtime, input);
      await produce([command]);
      return command;
    },
    async sendMany(inputs) {
      const commands = inputs.map((input) => buildCommand(runtime, input));
      await produce(commands);
      return commands;
    },
    close: () => producer.disconnect(),
  };
}
