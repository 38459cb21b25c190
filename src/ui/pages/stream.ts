import type { GatewayContext } from '../../gateway/context.ts';
import { nextLink, pageSize, requireUuid, wholeNumber } from '../../gateway/queries/input.ts';
import { readStreamPage } from '../../gateway/queries/streamPage.ts';
import { html, type SafeHtml } from '../html.ts';
import { liveRegion } from '../layout.ts';
import { eventsTable } from '../fragments.ts';

/** One aggregate's history: each event with the command that caused it, and its correlation. */
export async function streamPage(ctx: GatewayContext, aggregateUuidParam: string, url: URL): Promise<{ title: string; body: SafeHtml }> {
  const aggregateUuid = requireUuid(aggregateUuidParam, 'aggregate');
  const after = wholeNumber(url, 'after') ?? 0n;
  const page = await readStreamPage(ctx.runtime.pool, aggregateUuid, after, pageSize(url, 100), ctx.runtime.codec.personalFields);
  const heading = page.aggregateType ?? (after > 0n ? 'Stream' : 'No events');
  const more = page.nextAfter === undefined ? '' : html`<p><a rel="next" href="${nextLink(url, { after: page.nextAfter.toString() })}">next events →</a></p>`;
  return {
    title: `${heading} ${aggregateUuid}`,
    body: html`<h1>${heading} <span class="uuid">${aggregateUuid}</span></h1>
${after > 0n ? html`<p class="muted">After version ${after}.</p>` : ''}
${liveRegion('stream', html`${eventsTable(page.events)}${more}`)}`,
  };
}
