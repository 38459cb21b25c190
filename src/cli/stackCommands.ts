import type { Command } from 'commander';
import type { StackSettings } from '../stack/settings.ts';
import { positiveInteger } from './arguments.ts';

// The commands import the stack (and the Kafka and Postgres clients it checks with) when they run.
const cluster = () => import('../stack/kafkaCluster.ts');
const singleStack = () => import('../stack/stack.ts');
const stackSettings = async () => (await import('../stack/settings.ts')).readStackSettings();

async function printClusterStatus(settings: StackSettings): Promise<boolean> {
  const nodes = await (await cluster()).clusterStatus(settings);
  for (const { node, pid, healthy } of nodes) {
    console.log(`${`kafka-${node.id}`.padEnd(9)} ${(healthy ? 'healthy' : pid ? 'unhealthy' : 'down').padEnd(10)} ${`pid ${pid ?? '-'}`.padEnd(11)} 127.0.0.1:${node.port}`);
  }
  return nodes.every((n) => n.healthy);
}

export function registerStackCommands(program: Command): void {
  const stack = program.command('stack').description('run the local Kafka broker and schema registry (Postgres is used as found)');
  stack
    .command('up')
    .description('install (once) and start Kafka and the registry; a no-op for what is already up')
    .option('--brokers <n>', 'a KRaft cluster of n nodes instead of one broker (topics apply then uses replication factor min(3, n), min.insync.replicas 2 from 3)', (v) => positiveInteger('--brokers', v), 1)
    .action(async (opts: { brokers: number }) => {
      const settings = await stackSettings();
      const [{ clusterBrokers, clusterStatus, clusterUp, registryUp }, { formatStatus, stackStatus, stackUp }] = await Promise.all([cluster(), singleStack()]);
      if (opts.brokers > 1) {
        await clusterUp(settings, { brokers: opts.brokers });
        await registryUp(settings);
        await printClusterStatus(settings);
        console.log(`clients: KAFKA_BROKERS=${clusterBrokers((await clusterStatus(settings, { brokers: opts.brokers })).map((n) => n.node))}`);
        const { replicationFactor, minInsyncReplicas } = (await import('../messaging/topics.ts')).clusterReplication(opts.brokers);
        console.log(`topics apply with those brokers creates topics with replication factor ${replicationFactor} and min.insync.replicas ${minInsyncReplicas}`);
        return;
      }
      await stackUp(settings);
      console.log(formatStatus(await stackStatus(settings)));
    });
  stack
    .command('down')
    .description('stop Kafka (one broker or a cluster) and the registry; their data stays in the state folder')
    .action(async () => {
      const settings = await stackSettings();
      await (await cluster()).clusterDown(settings, { brokers: 0 });
      await (await singleStack()).stackDown(settings);
    });
  stack
    .command('status')
    .description('each server with its address, pid and health; exit code 1 when one is not healthy')
    .action(async () => {
      const settings = await stackSettings();
      const [{ clusterStatus }, { formatStatus, stackStatus }] = await Promise.all([cluster(), singleStack()]);
      // A cluster counts when one of its nodes runs; a folder left from an earlier one does not.
      const found = await clusterStatus(settings);
      const nodes = found.some((n) => n.pid !== undefined) ? found : [];
      const rows = await stackStatus(settings);
      // With a cluster, its nodes stand in for the single broker.
      console.log(formatStatus(nodes.length > 0 ? rows.filter((r) => r.name !== 'kafka') : rows));
      const clusterHealthy = nodes.length === 0 || (await printClusterStatus(settings));
      if (rows.some((r) => !r.healthy && !(nodes.length > 0 && r.name === 'kafka')) || !clusterHealthy) process.exitCode = 1;
    });
}
