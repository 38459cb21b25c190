import { describe, it, expect } from 'vitest';
import { faultStack } from './faultStack.ts';
import { runScenario } from './scenario.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Fault 4: the (fault stack's own) Kafka broker killed and restarted, and stopped for 30 s, under load.
describe('fault 4: the Kafka broker killed and restarted during load, and stopped for 30 s', () => {
  it('loses no acknowledged command and no event when the broker is SIGKILLed and restarted', async () => {
    const report = await runScenario({
      label: 'fault-4a-broker-sigkill',
      workers: 2,
      load: { aggregates: 120, rounds: 20, intervalMs: 600 },
      inject: async ({ injected }) => {
        for (const after of [3_000, 4_000]) {
          await sleep(after);
          await faultStack.kill('kafka');
          injected('brokerKills');
          await faultStack.start();
        }
      },
    });
    // runScenario fails the test on a broken invariant; say so here too.
    expect(report.verdicts.filter((v) => !v.ok)).toEqual([]);
    // A broker that is away is waited for: no worker or projector exits (a stuck consumer's 70, ECONNREFUSED at start-up).
    expect(report.fleetEvents.filter((e) => e.what === 'crashed')).toEqual([]);
  });

  it('goes on where it stopped when the broker is stopped for 30 s', async () => {
    const report = await runScenario({
      label: 'fault-4b-broker-stopped-30s',
      workers: 2,
      load: { aggregates: 120, rounds: 30, intervalMs: 500 },
      inject: async ({ injected }) => {
        await sleep(3_000);
        await faultStack.stop('kafka');
        injected('brokerStops');
        await sleep(30_000);
        await faultStack.start();
      },
    });
    // runScenario fails the test on a broken invariant; say so here too.
    expect(report.verdicts.filter((v) => !v.ok)).toEqual([]);
    // A broker that is away is waited for: no worker or projector exits (a stuck consumer's 70, ECONNREFUSED at start-up).
    expect(report.fleetEvents.filter((e) => e.what === 'crashed')).toEqual([]);
  });
});
