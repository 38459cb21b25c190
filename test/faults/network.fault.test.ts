import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { clusterBrokers, clusterDown, clusterNodes, clusterUp } from '../../src/stack/kafkaCluster.ts';
import { faultSettings } from './faultStack.ts';
import { runScenario } from './scenario.ts';
import { TcpProxy } from './tcpProxy.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quiet = () => undefined;

// Fault 10: network faults between the workers/projectors and the broker. A broker of its own
// (port 19192) advertises a proxy (19292) of the harness; the proxy delays, resets and blackholes
// the connections of worker and projector clients (told apart by the Kafka client id).
describe('fault 10: network faults between the processes and the broker (a TCP proxy)', () => {
  const settings = { ...faultSettings(), kafkaPort: 19192, kafkaControllerPort: 19193, kafkaHeapMb: 512 };
  const broker = { brokers: 1, name: 'kafka-proxied', advertisedPorts: { 1: 19292 } };
  const proxy = new TcpProxy(19292, 19192, /\.(worker|projector)$/);
  let saved: string | undefined;

  beforeAll(async () => {
    await proxy.start();
    await clusterUp(settings, broker, quiet);
    saved = process.env.KAFKA_BROKERS;
    process.env.KAFKA_BROKERS = clusterBrokers(clusterNodes(settings, broker));
  });

  afterAll(async () => {
    process.env.KAFKA_BROKERS = saved;
    await clusterDown(settings, broker, quiet);
    await proxy.stop();
  });

  it('rides out delayed, reset and blackholed connections without loss or double effect', async () => {
    const report = await runScenario({
      label: 'fault-10-network-proxy',
      workers: 2,
      load: { aggregates: 120, rounds: 30, intervalMs: 600 },
      // After the resets kafkajs can leave a consumer whose fetches are never answered (finding 5);
      // the stall watchdog's exit 70 and a restart are streamfold's way out, so here they are a
      // recovery, counted (stallExits), which must still meet the liveness bound; any other exit fails.
      stallExitsExpected: true,
      inject: async ({ injected }) => {
        await sleep(2_000);
        proxy.set({ kind: 'delay', ms: 300 });
        injected('delayedSeconds', 6);
        await sleep(6_000);
        proxy.set({ kind: 'pass' });
        for (let i = 0; i < 3; i++) {
          injected('connectionResets', proxy.resetTargeted());
          await sleep(1_500);
        }
        // A partition past the session timeout that heals (held bytes arrive late) …
        proxy.set({ kind: 'blackhole' });
        injected('blackholeSeconds', 10);
        await sleep(10_000);
        proxy.set({ kind: 'pass' });
        await sleep(3_000);
        // … and one that ends with the connections reset.
        proxy.set({ kind: 'blackhole' });
        injected('blackholeSeconds', 10);
        await sleep(10_000);
        injected('connectionResets', proxy.resetTargeted());
        proxy.set({ kind: 'pass' });
      },
    });
    // runScenario fails the test on a broken invariant; say so here too.
    expect(report.verdicts.filter((v) => !v.ok)).toEqual([]);
  });
});
