import { describe, expect, it } from 'vitest';
import { decidedPerSecond, throughputChart } from '../../src/ui/throughputChart.ts';
import { SampleRing } from '../../src/ui/throughputSamples.ts';

describe('the overview chart', () => {
  it('keeps the newest samples of a ring, oldest first', () => {
    const ring = new SampleRing<number>(3);
    expect(ring.toArray()).toEqual([]);
    for (const n of [1, 2]) ring.push(n);
    expect(ring.toArray()).toEqual([1, 2]);
    for (const n of [3, 4, 5]) ring.push(n);
    expect(ring.toArray()).toEqual([3, 4, 5]);
  });

  it('turns the decided counter into a rate per second between samples', () => {
    const samples = [
      { at: 0, decided: 10, lag: 0 },
      { at: 5000, decided: 60, lag: 4 },
      { at: 10_000, decided: 60, lag: 0 },
    ];
    expect(decidedPerSecond(samples)).toEqual([
      { at: 5000, value: 10 },
      { at: 10_000, value: 0 },
    ]);
  });

  it('draws a path per series with a point per sample, its labels, and nothing before the first two samples', () => {
    const now = 120_000;
    const empty = throughputChart([], now).value;
    expect(empty).toContain('<svg id="throughput-chart"');
    expect(empty).not.toContain('<path');
    expect(empty).toContain('no samples yet');

    const samples = Array.from({ length: 5 }, (_, i) => ({ at: 60_000 + i * 15_000, decided: i * 150, lag: 40 - i * 10 }));
    const svg = throughputChart(samples, now).value;
    expect(svg.match(/<path class="throughput" d="(M[\d.]+,[\d.]+)( L[\d.]+,[\d.]+){3}"/)).not.toBeNull();
    expect(svg.match(/<path class="lag" d="(M[\d.]+,[\d.]+)( L[\d.]+,[\d.]+){4}"/)).not.toBeNull();
    expect(svg).toContain('commands decided / s');
    expect(svg).toContain('consumer lag (messages)');
    expect(svg).toContain('now 10'); // 150 commands in 15 s
    expect(svg).toContain('−60 s');
    expect(throughputChart([{ at: 0, decided: 0, lag: 0 }], 600_000).value).toContain('the last 10 min');
    // No inline style: the Content-Security-Policy forbids it.
    expect(svg).not.toContain('style=');
  });
});
