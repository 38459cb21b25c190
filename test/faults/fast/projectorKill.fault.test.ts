import { describe, expect, it } from 'vitest';
import { killAt, until } from '../faultHooks.ts';
import { runScenario } from '../scenario.ts';

// Fault 2: the projector SIGKILLs itself after its Postgres commit, before its offset commit.
describe('fault 2 (fast): projector killed between its commit and its offset commit', () => {
  it('applies every event exactly once though the same chunks are delivered again', async () => {
    const report = await runScenario({
      label: 'fault-2-fast-projector-kill-after-commit',
      workers: 1,
      load: { aggregates: 120, rounds: 10, intervalMs: 600 },
      // Two lives end at the hook, each after a few chunks; the third runs on.
      projectorEnv: (_slot, incarnation) => (incarnation <= 2 ? killAt('projector.after-commit', 2 + Math.floor(Math.random() * 3)) : {}),
      inject: async ({ fleet, loadDone }) => {
        await loadDone;
        await until(() => fleet.count('hook-kill', 'projector') >= 2, 30_000);
      },
    });
    expect(report.numbers.hookKills).toBe(2);
    // Every kill left a committed chunk whose offset was not committed: its events came again.
  });
});
