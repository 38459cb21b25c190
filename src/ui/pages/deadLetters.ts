import type { GatewayContext } from '../../gateway/context.ts';
import { readDeadLetters } from '../../gateway/queries/deadLetterMessages.ts';
import { readDeadLetterActions } from '../../eventlog/deadLetterActions.ts';
import { pageSize } from '../../gateway/queries/input.ts';
import { html, uiPath, type SafeHtml } from '../html.ts';
import { actionButton } from '../layout.ts';
import { dataBlock } from '../fragments.ts';

/** The newest messages of a dead-letter topic with why each landed there; each can be sent back. */
export async function deadLettersPage(ctx: GatewayContext, topic: string, url: URL): Promise<{ title: string; body: SafeHtml }> {
  const letters = await ctx.admin.use((a) => readDeadLetters(ctx.runtime, a, topic, pageSize(url, 20)), 20_000);
  const actions = await readDeadLetterActions(ctx.runtime.pool, topic);
  const doneTo = (l: { partition: number; offset: string }) =>
    actions.filter((a) => a.partition === l.partition && a.offset === l.offset).map((a) => html`<p class="muted">${a.action} by ${a.actor} at ${a.actedAt}</p>`);
  const rows = letters.map(
    (l) => html`<tr data-offset="${l.offset}"><td><code>${l.partition}@${l.offset}</code></td><td>${l.failedAt}</td><td><strong>${l.errorCode}</strong><pre class="data">${l.error}</pre></td>
<td><code>${l.sourceTopic}[${l.sourcePartition}]@${l.sourceOffset}</code></td><td><code>${l.key ?? ''}</code></td>
<td><code>${l.size} bytes</code><pre class="data">${l.preview}</pre></td><td>${dataBlock(l.headers)}</td>
<td>${actionButton(`${uiPath('dead-letters', topic, l.partition, l.offset)}/retry`, `Send back to ${l.sourceTopic || 'its topic'}`)}${actionButton(`${uiPath('dead-letters', topic, l.partition, l.offset)}/discard`, 'Discard')}${doneTo(l)}</td></tr>`,
  );
  return {
    title: `Dead letters ${topic}`,
    body: html`<h1>Dead letters · ${topic}</h1>
<p class="muted">The newest messages of each partition. Sending one back produces its original key, value and headers to the topic it came from; discarding marks it done. Either is recorded with who did it.</p>
${letters.length === 0 ? html`<p class="muted">No messages.</p>` : html`<table><thead><tr><th>at</th><th>failed at</th><th>error</th><th>source</th><th>key</th><th>value</th><th>headers</th><th></th></tr></thead><tbody>${rows}</tbody></table>`}`,
  };
}
