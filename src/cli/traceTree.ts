import type { CommandNode, CorrelationTree, EventNode } from '../gateway/queries/correlationTree.ts';

/** The first block of a uuid: enough to tell the lines of one tree apart. */
const short = (uuid: string) => uuid.slice(0, 8);

/** An ISO time as `2026-12-04 22:41:33.123`, the way a terminal reads it. */
const timeOf = (iso: string | undefined) => (iso ? iso.replace('T', ' ').replace(/Z$/, '') : '');

const commandLine = (c: CommandNode, issuedAt: ReadonlyMap<string, string>) =>
  [
    `${c.commandType} ${short(c.commandUuid)}`,
    `${c.aggregateType} ${short(c.aggregateUuid)}`,
    c.reason ? `${c.outcome}: ${c.reason}` : c.outcome,
    timeOf(issuedAt.get(c.commandUuid)),
    c.issuedBy ? `by ${c.issuedBy}` : '',
    c.link === 'inferred' ? '(placed by time)' : '',
  ]
    .filter(Boolean)
    .join('  ');

const eventLine = (e: EventNode) => `${e.event.eventType} ${short(e.event.eventUuid)}  v${e.event.aggregateVersion}  ${timeOf(e.event.recordedAt)}`;

/**
 * The correlation tree of `GET /correlations/:id`, drawn: command → events → reactor commands →
 * events. `issuedAt` gives each archived command's time (the tree's nodes carry none).
 */
export function drawCorrelationTree(tree: CorrelationTree, issuedAt: ReadonlyMap<string, string>): string {
  const lines = [`correlation ${tree.correlationId}: ${tree.commands} command${tree.commands === 1 ? '' : 's'}, ${tree.events} event${tree.events === 1 ? '' : 's'}`];
  const draw = (label: string, prefix: string, last: boolean) => {
    lines.push(`${prefix}${last ? '└─ ' : '├─ '}${label}`);
    return `${prefix}${last ? '   ' : '│  '}`;
  };
  const command = (c: CommandNode, prefix: string, last: boolean) => {
    const inner = draw(commandLine(c, issuedAt), prefix, last);
    c.events.forEach((e, i) => event(e, inner, i === c.events.length - 1));
  };
  const event = (e: EventNode, prefix: string, last: boolean) => {
    const inner = draw(eventLine(e), prefix, last);
    e.reactions.forEach((r, i) => command(r, inner, i === e.reactions.length - 1));
  };
  tree.roots.forEach((c, i) => command(c, '', i === tree.roots.length - 1));
  if (tree.truncated) lines.push(`(the first ${tree.commands} commands and ${tree.events} events; the correlation has more)`);
  return lines.join('\n');
}
