import type { GatewayContext } from '../../gateway/context.ts';
import { readCommandRecord } from '../../gateway/queries/commandRecord.ts';
import { requireUuid } from '../../gateway/queries/input.ts';
import { html, type SafeHtml } from '../html.ts';
import { liveRegion } from '../layout.ts';
import { correlationLink, dataBlock, eventsTable, pill, streamLink } from '../fragments.ts';

/** A command's outcome, data, metadata and the events it caused; live while it is pending. */
export async function commandPage(ctx: GatewayContext, commandUuidParam: string): Promise<{ title: string; body: SafeHtml }> {
  const commandUuid = requireUuid(commandUuidParam, 'command');
  const record = await readCommandRecord(ctx.runtime.pool, commandUuid, ctx.runtime.codec.personalFields);
  if (record.status === 'unknown') {
    return {
      title: `Command ${commandUuid}`,
      body: html`<h1>Command <span class="uuid">${commandUuid}</span></h1>
${liveRegion('command', html`<p>${pill('unknown')} No worker has received this command yet (or it was never sent). This page updates when one does.</p>`)}`,
    };
  }
  const correlationId = String(record.metadata.correlationId ?? '');
  return {
    title: `${record.commandType} ${commandUuid}`,
    body: html`<h1>${record.commandType} <span class="uuid">${commandUuid}</span></h1>
${liveRegion(
  'command',
  html`<dl class="facts">
<dt>outcome</dt><dd>${pill(record.status)} ${record.reason ?? ''}</dd>
<dt>aggregate</dt><dd>${record.aggregateType} ${streamLink(record.aggregateUuid)}</dd>
<dt>correlation</dt><dd>${correlationId ? correlationLink(correlationId, correlationId) : '—'}</dd>
<dt>received</dt><dd>${record.receivedAt}</dd>
<dt>processed</dt><dd>${record.processedAt ?? '—'}</dd>
<dt>metadata</dt><dd>${dataBlock(record.metadata)}</dd>
<dt>data</dt><dd>${dataBlock(record.data)}</dd>
</dl>
<h2>Events it caused</h2>
${eventsTable(record.events, { withStream: true })}`,
)}`,
  };
}
