import { toStorableText, type CommandEnvelope } from '../core/index.ts';
import { keysFor, type DecidedCommand, type NewEvent, type PoolClient } from '../eventlog/index.ts';
import type { Codec } from '../messaging/codec.ts';
import { sealFields, subjectOf } from '../messaging/personalData.ts';

/**
 * The chunk as it is written: personal fields of commands and events sealed with their
 * subjects' keys (created on first use, in one query inside the chunk's transaction). A chunk
 * whose types declare no personal field is returned untouched, without a query.
 */
export async function sealDecided(client: PoolClient, codec: Codec, decided: readonly DecidedCommand[]): Promise<readonly DecidedCommand[]> {
  const personalOf = codec.personalFields;
  if (!personalOf) return decided;
  const subjects: string[] = [];
  for (const { command, events } of decided) {
    const commandSubject = subjectOf(personalOf(command.commandType), command.data);
    if (commandSubject) subjects.push(commandSubject);
    for (const event of events) {
      const eventSubject = subjectOf(personalOf(event.type), event.data);
      if (eventSubject) subjects.push(eventSubject);
    }
  }
  if (subjects.length === 0) return decided;
  const keys = await keysFor(client, subjects, { create: true });
  return decided.map((d) => ({
    ...d,
    // What the archive would make storable (an invalid command's U+0000) is made so before it is sealed.
    command: { ...d.command, data: sealFields(personalOf(d.command.commandType), storable(d.command.data, d.outcome === 'invalid'), keys) },
    events: d.events.map((e) => ({ ...e, data: sealFields(personalOf(e.type), e.data as Record<string, unknown>, keys) })),
  }));
}

const storable = (data: unknown, invalid: boolean) => (invalid ? toStorableText(data) : data) as Record<string, unknown>;

/** One command (archived storable, as claimCommand and archiveInvalidCommand do) and its events sealed (the one-by-one path). */
export async function sealOne(
  client: PoolClient,
  codec: Codec,
  command: CommandEnvelope,
  events: readonly NewEvent[] = [],
): Promise<{ command: CommandEnvelope; events: readonly NewEvent[] }> {
  const [sealed] = await sealDecided(client, codec, [{ command, streamType: command.aggregateType, outcome: 'invalid', reason: null, events: events.map((e) => ({ ...e, version: 0n })) }]);
  const { command: sealedCommand, events: sealedEvents } = sealed as DecidedCommand;
  return { command: sealedCommand, events: sealedEvents.map((e): NewEvent => ({ eventUuid: e.eventUuid, type: e.type, schemaId: e.schemaId, data: e.data })) };
}
