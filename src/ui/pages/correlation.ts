import type { GatewayContext } from '../../gateway/context.ts';
import { readCorrelationTree, type CommandNode, type EventNode } from '../../gateway/queries/correlationTree.ts';
import { requireUuid } from '../../gateway/queries/input.ts';
import { html, type SafeHtml } from '../html.ts';
import { liveRegion } from '../layout.ts';
import { commandLink, dataBlock, pill, streamLink } from '../fragments.ts';

function commandItem(node: CommandNode): SafeHtml {
  const how = node.link === 'inferred' ? html` <span class="muted" title="tied to the event by time and the reactor's sources">(inferred)</span>` : '';
  return html`<li class="command-node" data-command-uuid="${node.commandUuid}">
<span class="node command">⌘ <strong>${node.commandType}</strong> ${pill(node.outcome)}${node.reason ? html` <span class="muted">${node.reason}</span>` : ''}
→ ${node.aggregateType} ${streamLink(node.aggregateUuid, node.aggregateUuid.slice(0, 8))} · ${commandLink(node.commandUuid, 'command')}
${node.issuedBy ? html`<span class="muted">by ${node.issuedBy}</span>` : ''}${how}</span>
${node.events.length > 0 ? html`<ul>${node.events.map(eventItem)}</ul>` : ''}
</li>`;
}

function eventItem(node: EventNode): SafeHtml {
  const e = node.event;
  return html`<li class="event-node" data-event-uuid="${e.eventUuid}">
<span class="node event">● <strong>${e.eventType}</strong> v${e.aggregateVersion} of ${e.aggregateType} ${streamLink(e.aggregateUuid, e.aggregateUuid.slice(0, 8))}
<span class="muted">${e.recordedAt}</span>${dataBlock(e.data)}</span>
${node.reactions.length > 0 ? html`<ul>${node.reactions.map(commandItem)}</ul>` : ''}
</li>`;
}

/** Follows a correlation id across aggregates: command → events → reactor commands → events. */
export async function correlationPage(ctx: GatewayContext, correlationIdParam: string): Promise<{ title: string; body: SafeHtml }> {
  const correlationId = requireUuid(correlationIdParam, 'correlation');
  const tree = await readCorrelationTree(ctx.runtime.pool, ctx.runtime.config, correlationId, undefined, ctx.runtime.codec.personalFields);
  const content =
    tree.commands === 0
      ? html`<p class="muted">Nothing carries this correlation id yet.</p>`
      : html`<p class="muted">${tree.commands} commands, ${tree.events} events${tree.truncated ? ' (the first ones)' : ''}.</p>
<ul class="tree">${tree.roots.map(commandItem)}</ul>`;
  return {
    title: `Correlation ${correlationId}`,
    body: html`<h1>Correlation <span class="uuid">${correlationId}</span></h1>${liveRegion('tree', content)}`,
  };
}
