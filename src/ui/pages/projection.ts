import type { GatewayContext } from '../../gateway/context.ts';
import { nextLink, pageSize, wholeNumber } from '../../gateway/queries/input.ts';
import { projectionOverviews, type ProjectionOverview } from '../../gateway/queries/pipelineOverview.ts';
import { projectionNamed, readProjectionRows } from '../../gateway/queries/projectionRows.ts';
import { versionOfProjector } from '../../projection/names.ts';
import { html, uiPath, type SafeHtml } from '../html.ts';
import { actionButton, liveRegion } from '../layout.ts';
import { pill, rowsTable, streamLink, unavailable } from '../fragments.ts';

function versionsTable(p: ProjectionOverview): SafeHtml {
  return html`<table id="versions"><thead><tr><th>version</th><th>status</th><th>live since</th><th>verified</th><th>consumer group</th><th>lag per partition</th><th>total lag</th></tr></thead><tbody>
${p.versions.map(
  (v) => html`<tr><td>v${v.version}</td><td>${pill(v.status)}</td><td>${v.liveSince ?? '—'}</td><td>${v.verifiedAt ?? '—'}</td><td><code>${v.group}</code></td>
<td>${v.lag.map((l) => html`<div><code>${l.topic}[${l.partition}]</code> ${l.lag}</div>`)}</td><td>${v.totalLag}</td></tr>`,
)}</tbody></table>`;
}

/** Resume and skip act on the failure's own version (`counters_v2` is 2), replaying ones included. */
function haltButtons(base: string, projector: string): SafeHtml {
  const version = versionOfProjector(projector)?.version;
  return html`${actionButton(`${base}/resume?version=${version}`, `Resume v${version} (retry it)`)} ${actionButton(`${base}/skip?version=${version}`, `Skip it in v${version}`, true)}`;
}

function failuresTable(p: ProjectionOverview): SafeHtml {
  if (p.failures.length === 0) return html`<p class="muted">No halted or parked events.</p>`;
  const base = uiPath('projections', p.name);
  return html`<table id="failures"><thead><tr><th>version</th><th>status</th><th>event</th><th>aggregate</th><th>where</th><th>error</th><th>failed at</th><th></th></tr></thead><tbody>
${p.failures.map(
  (f) => html`<tr><td>${f.projector}</td><td>${pill(f.status)}</td><td>${f.event_type} <span class="uuid">${f.event_uuid}</span></td>
<td>${streamLink(f.aggregate_uuid, f.aggregate_uuid.slice(0, 8))}</td><td><code>${f.topic}[${f.partition}]@${f.offset}</code></td><td><pre class="data">${f.error}</pre></td><td>${f.failed_at}</td>
<td>${
    f.status === 'halted'
      ? haltButtons(base, f.projector)
      : html`${actionButton(`${base}/failures/${encodeURIComponent(f.event_uuid)}/retry`, 'Retry')} ${actionButton(`${base}/failures/${encodeURIComponent(f.event_uuid)}/skip`, 'Skip', true)}`
  }</td></tr>`,
)}</tbody></table>`;
}

/** A projection's versions with their lag, its failures with resume/skip/retry, and its tables. */
export async function projectionPage(ctx: GatewayContext, name: string): Promise<{ title: string; body: SafeHtml }> {
  const projection = projectionNamed(ctx.runtime.config, name);
  let content: SafeHtml;
  try {
    const [p] = await ctx.admin.use((a) => projectionOverviews(ctx.runtime, a, projection));
    const overview = p as ProjectionOverview;
    content = html`<p>${pill(overview.state)} reads ${overview.sources.join(', ')}; on a failing event it will <strong>${overview.failurePolicy}</strong>.</p>
<h2>Versions</h2>${versionsTable(overview)}
<h2>Failures</h2>${failuresTable(overview)}`;
  } catch (error) {
    content = unavailable('Kafka', error);
  }
  return {
    title: `Projection ${projection.name}`,
    body: html`<h1>Projection ${projection.name}</h1>
${liveRegion('projection', content)}
<h2>Tables</h2><ul>${projection.tables.map((t) => html`<li><a href="${uiPath('projections', projection.name, t)}">${t}</a></li>`)}</ul>`,
  };
}

const rowParameters = new Set(['limit', 'after', 'version']);

/** A page of one read-model table, from the live version (or ?version=). */
export async function tablePage(ctx: GatewayContext, name: string, table: string, url: URL): Promise<{ title: string; body: SafeHtml }> {
  const page = await readProjectionRows(ctx.runtime.readPool, ctx.runtime.config, name, table, {
    limit: pageSize(url, 100),
    after: url.searchParams.get('after') ?? undefined,
    version: wholeNumber(url, 'version'),
    where: new Map([...url.searchParams].filter(([key]) => !rowParameters.has(key))),
  });
  const more = page.nextAfter === undefined ? '' : html`<p><a rel="next" href="${nextLink(url, { after: page.nextAfter })}">next rows →</a></p>`;
  return {
    title: `${page.projection}.${page.table}`,
    body: html`<h1><a href="${uiPath('projections', page.projection)}">${page.projection}</a> v${page.version} · ${page.table}</h1>
${liveRegion('rows', html`${rowsTable(page.columns.map((c) => c.name), page.rows)}${more}`)}`,
  };
}
