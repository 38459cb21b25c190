import { describe, expect, it } from 'vitest';
import { SLOW_BY } from './fixture/streamfold.config.ts';
import { runScenario } from './scenario.ts';

// Fault 9: a projection handler slower, over one chunk, than the session timeout (6 s).
describe('fault 9: a slow handler longer than the session timeout', () => {
  it('makes progress without an endless rebalance loop', async () => {
    const report = await runScenario({
      label: 'fault-9-slow-handler',
      workers: 1,
      projectors: 2,
      // 40 slow events of 700 ms in one round: about 7 s of handler time per partition's chunk.
      projectorEnv: () => ({ STREAMFOLD_FAULT_SLOW_APPLY_MS: '700' }),
      load: { aggregates: 120, rounds: 10, intervalMs: 500, special: (aggregate, round) => (round === 2 && aggregate % 3 === 0 ? SLOW_BY : undefined) },
      inject: async ({ injected }) => injected('slowEvents', 40),
    });
    expect(report.numbers.recoveredInMs).not.toBe('never');
  });
});
