import { describe, expect, it } from 'vitest';
import { killAt, until, workerPoints } from '../faultHooks.ts';
import { runScenario } from '../scenario.ts';

// Fault 1: an aggregate worker SIGKILLs itself at each step of its chunk; a supervisor restarts it.
describe('fault 1 (fast): aggregate workers killed at every step of a chunk', () => {
  it('loses and doubles nothing when workers die after dedup, after append, after commit and after produce', async () => {
    // Two workers, two kill points each in consecutive lives, so the four rebalances overlap in pairs.
    const lives: Record<number, (typeof workerPoints)[number][]> = { 1: [workerPoints[0]!, workerPoints[2]!], 2: [workerPoints[1]!, workerPoints[3]!] };
    const report = await runScenario({
      label: 'fault-1-fast-worker-kill-each-step',
      workers: 2,
      load: { aggregates: 120, rounds: 18, intervalMs: 700 },
      workerEnv: (slot, incarnation) => {
        const point = lives[slot]?.[incarnation - 1];
        // At the first chunk of each faulty life, so the four kills fit in a short load.
        return point ? killAt(point, 1) : {};
      },
      inject: async ({ fleet, loadDone }) => {
        await loadDone;
        // Kills land while the backlog drains, too: give the last ones time to happen.
        await until(() => fleet.count('hook-kill') >= 4, 30_000);
      },
    });
    expect(report.numbers.hookKills).toBe(4);
  });
});
