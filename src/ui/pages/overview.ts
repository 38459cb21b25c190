import type { GatewayContext } from '../../gateway/context.ts';
import { commandOutcomes, deadLetterCounts, projectionOverviews } from '../../gateway/queries/pipelineOverview.ts';
import { readRecentEvents } from '../../gateway/queries/streamPage.ts';
import { unsealEvents } from '../../eventlog/index.ts';
import { html, uiPath, type SafeHtml } from '../html.ts';
import { liveRegion } from '../layout.ts';
import { eventsTable, pill, unavailable } from '../fragments.ts';
import { throughputChart } from '../throughputChart.ts';
import type { PipelineSample } from '../throughputSamples.ts';

/** One section of the page; a server that does not answer shows in its place instead of failing the page. */
async function part(what: string, work: () => Promise<SafeHtml>): Promise<SafeHtml> {
  try {
    return await work();
  } catch (error) {
    return unavailable(what, error);
  }
}

async function projectionsSection({ runtime, admin }: GatewayContext): Promise<SafeHtml> {
  const overviews = await admin.use((a) => projectionOverviews(runtime, a));
  if (overviews.length === 0) return html`<p class="muted">The config has no projections.</p>`;
  const row = (p: (typeof overviews)[number]) => {
    const live = p.versions.find((v) => v.status === 'live');
    const failures = p.failures.length > 0 ? html`<span class="bad">${p.failures.length}</span>` : 0;
    return html`<tr><td><a href="${uiPath('projections', p.name)}">${p.name}</a></td><td>${live ? `v${live.version}` : '—'}</td><td>${pill(p.state)}</td>
<td>${live?.totalLag ?? '—'}</td><td>${failures}</td></tr>`;
  };
  return html`<table id="projections-table"><thead><tr><th>projection</th><th>live version</th><th>state</th><th>lag</th><th>failures</th></tr></thead>
<tbody>${overviews.map(row)}</tbody></table>`;
}

async function deadLettersSection({ runtime, admin }: GatewayContext): Promise<SafeHtml> {
  const counts = await admin.use((a) => deadLetterCounts(runtime, a));
  if (counts.length === 0) return html`<p class="muted">No dead-letter topics exist yet.</p>`;
  const row = (d: (typeof counts)[number]) =>
    html`<tr><td><a href="${uiPath('dead-letters', d.topic)}">${d.topic}</a></td><td>${d.count > 0n ? html`<span class="bad">${d.count}</span>` : '0'}</td></tr>`;
  return html`<table><thead><tr><th>topic</th><th>messages</th></tr></thead><tbody>${counts.map(row)}</tbody></table>`;
}

async function outcomesSection({ runtime }: GatewayContext): Promise<SafeHtml> {
  const rows = await commandOutcomes(runtime);
  if (rows.length === 0) return html`<p class="muted">No commands yet.</p>`;
  return html`<table><thead><tr><th>outcome</th><th>commands</th></tr></thead><tbody>${rows.map((o) => html`<tr><td>${pill(o.outcome)}</td><td>${o.count}</td></tr>`)}</tbody></table>`;
}

/** The front page: throughput and lag, projections, dead letters, outcomes and the newest events, all live. */
export async function overviewPage(ctx: GatewayContext, samples: readonly PipelineSample[] = []): Promise<SafeHtml> {
  // Side by side, so a Kafka that does not answer costs one timeout, not one per section.
  const [projections, deadLetters, outcomes, recent] = await Promise.all([
    part('Kafka', () => projectionsSection(ctx)),
    part('Kafka', () => deadLettersSection(ctx)),
    part('Postgres', () => outcomesSection(ctx)),
    part('Postgres', async () => eventsTable(await unsealEvents(ctx.runtime.pool, await readRecentEvents(ctx.runtime.pool, 25), ctx.runtime.codec.personalFields), { withStream: true })),
  ]);
  return html`<h1>${ctx.runtime.config.app}</h1>
<section><h2>Throughput and lag</h2>${liveRegion('throughput', throughputChart(samples))}</section>
<section><h2>Projections</h2>${liveRegion('projections', projections)}</section>
<div class="grid">
<section><h2>Dead letters</h2>${liveRegion('dead-letters', deadLetters)}</section>
<section><h2>Commands by outcome</h2>${liveRegion('outcomes', outcomes)}</section>
</div>
<section><h2>Newest events</h2>${liveRegion('recent', recent)}</section>`;
}
