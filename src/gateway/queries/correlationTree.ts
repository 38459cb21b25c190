import type { RecordedEvent } from '../../core/index.ts';
import type { StreamfoldConfig } from '../../config/streamfoldConfig.ts';
import { readCommandsOfCorrelation, readEventsOfCorrelation, unsealEvents, type PersonalFieldsOf, type Pool, type ProcessedCommand } from '../../eventlog/index.ts';
import { reactionUuid } from '../../reactor/reactorRunner.ts';

export interface CommandNode {
  readonly commandUuid: string;
  readonly commandType: string;
  readonly aggregateType: string;
  readonly aggregateUuid: string;
  readonly outcome: string;
  readonly reason: string | null;
  readonly issuedBy: string;
  readonly events: EventNode[];
  /**
   * How this command was tied to the event that caused it: `derived` when its uuid is the
   * reactor's uuid for that event, `inferred` when only the time and the reactor's sources fit.
   */
  readonly link?: 'derived' | 'inferred';
}

export interface EventNode {
  readonly event: RecordedEvent;
  readonly reactions: CommandNode[];
}

export interface CorrelationTree {
  readonly correlationId: string;
  readonly roots: CommandNode[];
  readonly commands: number;
  readonly events: number;
  /** True when the correlation has more than `limit` events or commands and the tree shows the first ones. */
  readonly truncated: boolean;
}

/** Reactor keys tried when re-deriving a reaction's uuid: the target aggregate, then list indexes. */
const candidateKeys = (command: CommandNode) => [command.aggregateUuid, ...Array.from({ length: 50 }, (_, i) => String(i))];

/**
 * Everything one correlation id touched, as command → events → reactor commands → events.
 * Reactor commands carry the correlation id and the reacted-to event's time, and their uuid is
 * derived from the event's uuid, which is how each is put under its event.
 */
export async function readCorrelationTree(pool: Pool, config: StreamfoldConfig, correlationId: string, limit = 1000, personalOf?: PersonalFieldsOf): Promise<CorrelationTree> {
  // One more than the limit of each: its presence says the tree is truncated.
  const eventRows = await readEventsOfCorrelation(pool, correlationId, limit + 1);
  const commandRows = await readCommandsOfCorrelation(pool, correlationId, limit + 1);
  const events = await unsealEvents(pool, eventRows.slice(0, limit), personalOf);
  const commands = new Map<string, CommandNode>();
  for (const row of commandRows.slice(0, limit)) {
    commands.set(row.command_uuid, {
      commandUuid: row.command_uuid,
      commandType: row.command_type,
      aggregateType: row.aggregate_type,
      aggregateUuid: row.aggregate_uuid,
      outcome: row.outcome ?? 'pending',
      reason: row.reason,
      issuedBy: String(row.metadata.issuedBy ?? ''),
      events: [],
    });
  }
  const eventNodes = events.map((event): EventNode => ({ event, reactions: [] }));
  for (const node of eventNodes) {
    const cause = node.event.causedBy;
    let command = commands.get(cause.commandUuid);
    if (!command) {
      // Its archive row carries another correlation id or is past the limit: show it all the same.
      command = { commandUuid: cause.commandUuid, commandType: cause.commandType, aggregateType: node.event.aggregateType, aggregateUuid: node.event.aggregateUuid, outcome: 'accepted', reason: null, issuedBy: '', events: [] };
      commands.set(cause.commandUuid, command);
    }
    command.events.push(node);
  }

  const roots: CommandNode[] = [];
  for (const [uuid, command] of commands) {
    const row = commandRows.find((r) => r.command_uuid === uuid);
    const parent = row && command.issuedBy.startsWith('reactor:') ? causeOf(config, command, row, eventNodes) : undefined;
    if (parent) parent.node.reactions.push({ ...command, link: parent.link });
    else roots.push(command);
  }
  return { correlationId, roots, commands: commands.size, events: events.length, truncated: eventRows.length > limit || commandRows.length > limit };
}

function causeOf(config: StreamfoldConfig, command: CommandNode, row: ProcessedCommand, eventNodes: readonly EventNode[]) {
  const issuedAt = Date.parse(String(row.metadata.issuedAt));
  const sameTime = eventNodes.filter((n) => Date.parse(n.event.recordedAt) === issuedAt);
  for (const node of sameTime) {
    if (candidateKeys(command).some((key) => reactionUuid(node.event.eventUuid, key) === command.commandUuid)) return { node, link: 'derived' as const };
  }
  const reactor = config.reactors.find((r) => `reactor:${r.name}` === command.issuedBy);
  const sourceTypes = new Set(config.domains.filter((d) => reactor?.sources.includes(d.name)).map((d) => d.aggregateType));
  const node = sameTime.filter((n) => sourceTypes.has(n.event.aggregateType)).at(-1) ?? sameTime.at(-1);
  return node ? { node, link: 'inferred' as const } : undefined;
}
