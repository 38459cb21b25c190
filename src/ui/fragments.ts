import type { RecordedEvent } from '../core/index.ts';
import { html, prettyJson, uiPath, type SafeHtml } from './html.ts';

export const pill = (word: string) => html`<span class="pill ${word.replace(/[^a-z]+/gi, '-').toLowerCase()}">${word}</span>`;

export const streamLink = (aggregateUuid: string, label: string = aggregateUuid) => html`<a class="uuid" href="${uiPath('streams', aggregateUuid)}">${label}</a>`;
export const commandLink = (commandUuid: string, label: string = commandUuid) => html`<a class="uuid" href="${uiPath('commands', commandUuid)}">${label}</a>`;
export const correlationLink = (correlationId: string, label = 'follow') => html`<a href="${uiPath('correlations', correlationId)}">${label}</a>`;

export const dataBlock = (data: unknown) => html`<pre class="data">${prettyJson(data)}</pre>`;

const short = (uuid: string) => uuid.slice(0, 8);

/** Events with the command that caused each; `withStream` adds the aggregate column (mixed streams). */
export function eventsTable(events: readonly RecordedEvent[], options: { withStream?: boolean } = {}): SafeHtml {
  if (events.length === 0) return html`<p class="muted">No events.</p>`;
  return html`<table class="events">
<thead><tr>${options.withStream ? html`<th>#</th><th>aggregate</th>` : ''}<th>v</th><th>event</th><th>recorded at</th><th>data</th><th>caused by</th><th>correlation</th></tr></thead>
<tbody>${events.map(
    (e) => html`<tr data-event-uuid="${e.eventUuid}">
${options.withStream ? html`<td>${e.position ?? ''}</td><td>${e.aggregateType} ${streamLink(e.aggregateUuid, short(e.aggregateUuid))}</td>` : ''}
<td>${e.aggregateVersion}</td><td><strong>${e.eventType}</strong></td><td>${e.recordedAt}</td><td>${dataBlock(e.data)}</td>
<td>${e.causedBy.commandType} ${commandLink(e.causedBy.commandUuid, short(e.causedBy.commandUuid))}</td>
<td>${correlationLink(e.correlationId, short(e.correlationId))}</td></tr>`,
  )}</tbody></table>`;
}

/** A table of plain rows (a read model's), cells escaped, objects as JSON. */
export function rowsTable(columns: readonly string[], rows: readonly Record<string, unknown>[]): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">No rows.</p>`;
  const cell = (v: unknown) => (v === null || v === undefined ? html`<span class="muted">null</span>` : typeof v === 'object' && !(v instanceof Date) ? dataBlock(v) : html`${v}`);
  return html`<table class="rows"><thead><tr>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${columns.map((c) => html`<td>${cell(r[c])}</td>`)}</tr>`)}</tbody></table>`;
}

/** What went wrong reading one part of a page, shown in its place instead of failing the whole page. */
export const unavailable = (what: string, error: unknown) => html`<p class="problem">${what} did not answer: ${(error as Error).message}</p>`;
