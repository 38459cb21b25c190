import { describe, expect, it } from 'vitest';
import { killAt, until, workerPoints } from './faultHooks.ts';
import { runScenario } from './scenario.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Fault 1, in full: each step of the worker's chunk on its own, three kills in a row, and kills at
// random moments from outside (the harness's SIGKILL) for the worker and the projector.
describe('fault 1: aggregate worker SIGKILL at each step', () => {
  it.each(workerPoints)('survives three kills at %s', async (point) => {
    const report = await runScenario({
      label: `fault-1-worker-kill-${point.replace('worker.', '')}`,
      workers: 2,
      load: { aggregates: 120, rounds: 24, intervalMs: 600 },
      // Three lives end at the hook: worker-1's first two and worker-2's first.
      workerEnv: (slot, incarnation) => (incarnation <= (slot === 1 ? 2 : 1) ? killAt(point) : {}),
      inject: async ({ fleet, loadDone }) => {
        await loadDone;
        await until(() => fleet.count('hook-kill') >= 3, 40_000);
      },
    });
    expect(report.numbers.hookKills).toBe(3);
  });

  it('survives SIGKILLs at random moments of workers and projector', async () => {
    const report = await runScenario({
      label: 'fault-1-random-timer-kills',
      workers: 2,
      projectors: 2,
      load: { aggregates: 150, rounds: 24, intervalMs: 600 },
      inject: async ({ fleet }) => {
        const victims = ['worker-1', 'projector-1', 'worker-2', 'worker-1', 'projector-2', 'worker-2'];
        for (const victim of victims) {
          await sleep(1_500 + Math.random() * 2_000);
          await fleet.kill(victim);
        }
      },
    });
    expect(report.numbers.harnessKills).toBe(6);
  });
});
