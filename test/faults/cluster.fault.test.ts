import { describe, expect, it } from 'vitest';
import { clusterBrokers, clusterDown, clusterNodes, clusterUp, killClusterNode } from '../../src/stack/kafkaCluster.ts';
import { faultSettings, faultStack } from './faultStack.ts';
import { replicatedPipeline } from './replicatedPipeline.ts';
import { faultConfigFile, runScenario } from './scenario.ts';
import { rawKafka } from '../support/rawKafka.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quiet = () => undefined;

// Fault 11: three KRaft nodes from the same jars (the fault stack's ports 19092..19097), topics with
// replication factor 3 and min.insync.replicas 2; one broker SIGKILLed under load, then restarted.
describe('fault 11: a three-broker cluster with one broker SIGKILLed under load', () => {
  it('loses no acknowledged command and misses no event on its topic', async () => {
    const settings = { ...faultSettings(), kafkaHeapMb: 512 };
    const cluster = { brokers: 3 };
    const brokers = clusterBrokers(clusterNodes(settings, cluster));
    const saved = process.env.KAFKA_BROKERS;
    // The single fault broker gives its ports to the cluster for this test.
    await faultStack.stop('kafka');
    try {
      await clusterUp(settings, cluster, quiet);
      process.env.KAFKA_BROKERS = brokers;
      const report = await runScenario({
        label: 'fault-11-three-brokers-one-killed',
        workers: 2,
        pipeline: (label) => replicatedPipeline(label, { configFile: faultConfigFile, partitions: 4, replicationFactor: 3, minInsyncReplicas: 2 }),
        // Each offset a projector commits is logged, so a committed offset seen moving back can be
        // told apart: a late commit of ours, or one the cluster lost (docs/reliability.md finding 10).
        projectorEnv: () => ({ STREAMFOLD_LOG_LEVEL: 'debug' }),
        load: { aggregates: 120, rounds: 24, intervalMs: 600 },
        inject: async ({ pipeline, commandTopic, injected }) => {
          const admin = rawKafka(pipeline.runtime).admin();
          await admin.connect();
          const { topics } = await admin.fetchTopicMetadata({ topics: [commandTopic] });
          await admin.disconnect();
          expect(topics[0]?.partitions.every((p) => p.replicas.length === 3)).toBe(true);
          // The seed broker first (every client's first address), then another.
          for (const node of [1, 3]) {
            await sleep(3_000);
            await killClusterNode(settings, cluster, node);
            injected('brokerKills');
            await sleep(8_000);
            await clusterUp(settings, cluster, quiet);
          }
        },
      });
      expect(report.numbers.brokerKills).toBe(2);
    } finally {
      process.env.KAFKA_BROKERS = saved;
      await clusterDown(settings, cluster, quiet);
      await faultStack.start();
    }
  });
});
