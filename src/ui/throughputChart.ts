import { html, type SafeHtml } from './html.ts';
import type { PipelineSample } from './throughputSamples.ts';

const width = 720;
const panelHeight = 90;
const left = 56;
const right = 12;
const top = 22;
const gap = 34;

interface Point {
  readonly at: number;
  readonly value: number;
}

/** Commands decided per second between each sample and the one before it. */
export function decidedPerSecond(samples: readonly PipelineSample[]): Point[] {
  const points: Point[] = [];
  for (let i = 1; i < samples.length; i++) {
    const [before, after] = [samples[i - 1] as PipelineSample, samples[i] as PipelineSample];
    const seconds = (after.at - before.at) / 1000;
    if (seconds > 0) points.push({ at: after.at, value: Math.max(0, after.decided - before.decided) / seconds });
  }
  return points;
}

/** A round ceiling for the axis, so the top label reads 5, 20 or 500 rather than 17.3. */
function axisMax(values: readonly number[]): number {
  const max = Math.max(0, ...values);
  if (max <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].find((step) => step * magnitude >= max) as number) * magnitude;
}

const round = (n: number) => Math.round(n * 10) / 10;
const shownNumber = (n: number) => (n >= 10 || Number.isInteger(n) ? String(Math.round(n)) : n.toFixed(1));

function panel(index: number, title: string, kind: string, colour: string, points: readonly Point[], from: number, to: number): SafeHtml {
  const y0 = top + index * (panelHeight + gap);
  const max = axisMax(points.map((p) => p.value));
  const x = (at: number) => round(left + ((at - from) / Math.max(1, to - from)) * (width - left - right));
  const y = (value: number) => round(y0 + panelHeight - (value / max) * panelHeight);
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.at)},${y(p.value)}`).join(' ');
  const last = points.at(-1);
  return html`<g class="panel ${kind}">
<text x="${left}" y="${y0 - 7}" font-size="12" font-weight="600" fill="currentColor">${title}</text>
<text x="${width - right}" y="${y0 - 7}" font-size="12" text-anchor="end" fill="${colour}" class="latest">${last ? `now ${shownNumber(last.value)}` : 'no samples yet'}</text>
<text x="${left - 6}" y="${y0 + 4}" font-size="11" text-anchor="end" fill="#5d6577" class="axis-max">${shownNumber(max)}</text>
<text x="${left - 6}" y="${y0 + panelHeight + 4}" font-size="11" text-anchor="end" fill="#5d6577">0</text>
<line x1="${left}" y1="${y0 + panelHeight}" x2="${width - right}" y2="${y0 + panelHeight}" stroke="#d9dde6"/>
<line x1="${left}" y1="${y0}" x2="${width - right}" y2="${y0}" stroke="#eef1f6"/>
${d ? html`<path class="${kind}" d="${d}" fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round" data-points="${points.length}"/>` : ''}
</g>`;
}

/**
 * Throughput (commands decided per second) and consumer lag over the samples' span, as an inline
 * SVG drawn on the server: no script, no style attribute, nothing the Content-Security-Policy forbids.
 */
export function throughputChart(samples: readonly PipelineSample[], now = Date.now()): SafeHtml {
  // The span the samples cover (the ring holds ten minutes at most), ten seconds at the least.
  const from = Math.min(samples[0]?.at ?? now, now - 10_000);
  const spanMs = now - from;
  const span = spanMs < 90_000 ? `${Math.round(spanMs / 1000)} s` : `${Math.round(spanMs / 60_000)} min`;
  const height = top + 2 * panelHeight + gap + 22;
  const lag = samples.map((s) => ({ at: s.at, value: s.lag }));
  return html`<svg id="throughput-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="throughput-chart-title">
<title id="throughput-chart-title">Commands decided per second and consumer lag, the last ${span}</title>
${panel(0, 'commands decided / s', 'throughput', '#2856c6', decidedPerSecond(samples), from, now)}
${panel(1, 'consumer lag (messages)', 'lag', '#b3261e', lag, from, now)}
<text x="${left}" y="${height - 4}" font-size="11" fill="#5d6577">−${span}</text>
<text x="${width - right}" y="${height - 4}" font-size="11" text-anchor="end" fill="#5d6577">now</text>
</svg>`;
}
