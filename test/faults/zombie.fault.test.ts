import { describe, expect, it } from 'vitest';
import { SESSION_TIMEOUT_MS, runScenario } from './scenario.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Fault 3: a worker and a projector frozen with SIGSTOP past the session timeout, then let go:
// the group has moved their partitions on; their late writes must not double anything or move a checkpoint back.
describe('fault 3: zombie worker and projector (SIGSTOP past the session timeout, then SIGCONT)', () => {
  it('absorbs the zombies\' late writes and never moves a committed offset back', async () => {
    const report = await runScenario({
      label: 'fault-3-zombie-sigstop',
      workers: 2,
      projectors: 2,
      load: { aggregates: 150, rounds: 24, intervalMs: 700 },
      inject: async ({ fleet, injected }) => {
        for (const pauseAfterMs of [2_000, 1_300]) {
          await sleep(pauseAfterMs);
          fleet.pause('worker-1');
          fleet.pause('projector-1');
          injected('pausesPastSessionTimeout', 2);
          // Twice the session timeout: the others take the partitions over and go on meanwhile.
          await sleep(2 * SESSION_TIMEOUT_MS + 1_000);
          fleet.resume('worker-1');
          fleet.resume('projector-1');
        }
      },
    });
    expect(report.numbers.pauses).toBe(4);
  });
});
