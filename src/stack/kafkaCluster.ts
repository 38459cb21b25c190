import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import type { StackSettings } from './settings.ts';
import { StackError } from './errors.ts';
import { kafkaServer } from './kafka.ts';
import { ensurePortFree, isOurProcess, javaCommand, lastLines, readPid, startDetached, stopProcess } from './processes.ts';
import { registryServer } from './registry.ts';
import { projectRoot } from './server.ts';
import { newClusterId } from './clusterId.ts';
import { brokersAnswering } from '../messaging/createTransport.ts';
import { clusterReplication } from '../messaging/topics.ts';

/** One node of a local KRaft cluster: broker and controller in one process. */
export interface ClusterNode {
  readonly id: number;
  readonly port: number;
  readonly controllerPort: number;
  /** The address clients are told to use; the node's own port unless a proxy stands in front. */
  readonly advertisedPort: number;
  readonly dir: string;
}

export interface ClusterOptions {
  readonly brokers: number;
  /** Advertised client port per node id, for a TCP proxy in front of a node (network fault tests). */
  readonly advertisedPorts?: Readonly<Record<number, number>>;
  /** Folder under the state folder; `kafka-cluster` by default. */
  readonly name?: string;
}

/**
 * Node n listens on STREAMFOLD_KAFKA_PORT + 2(n-1), its controller on the port after it.
 * `brokers: 0` means the nodes already formatted in the state folder.
 */
export function clusterNodes(s: StackSettings, options: ClusterOptions): ClusterNode[] {
  const base = path.join(s.stateDir, options.name ?? 'kafka-cluster');
  const count = options.brokers > 0 ? options.brokers : fs.existsSync(base) ? fs.readdirSync(base).filter((f) => /^node-\d+$/.test(f)).length : 0;
  return Array.from({ length: count }, (_, i) => {
    const id = i + 1;
    const port = s.kafkaPort + 2 * i;
    return { id, port, controllerPort: port + 1, advertisedPort: options.advertisedPorts?.[id] ?? port, dir: path.join(base, `node-${id}`) };
  });
}

export const clusterBrokers = (nodes: readonly ClusterNode[]) => nodes.map((n) => `127.0.0.1:${n.advertisedPort}`).join(',');

function nodeProperties(node: ClusterNode, nodes: readonly ClusterNode[]): string {
  // The internal topics get what `topics apply` gives the config's topics on this cluster.
  const { replicationFactor: replication, minInsyncReplicas: minIsr } = clusterReplication(nodes.length);
  return `# Written by streamfold: node ${node.id} of a ${nodes.length}-node KRaft cluster on 127.0.0.1.
process.roles=broker,controller
node.id=${node.id}
controller.quorum.voters=${nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',')}
listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${node.advertisedPort}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${path.join(node.dir, 'data')}
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=${replication}
min.insync.replicas=${minIsr}
offsets.topic.replication.factor=${replication}
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=${replication}
transaction.state.log.min.isr=${minIsr}
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=${replication}
share.coordinator.state.topic.min.isr=${minIsr}
group.initial.rebalance.delay.ms=0
group.coordinator.append.linger.ms=0
unclean.leader.election.enable=false
num.network.threads=2
num.io.threads=2
`;
}

const propertiesOf = (node: ClusterNode) => path.join(node.dir, 'server.properties');
const pidFileOf = (node: ClusterNode) => path.join(node.dir, 'kafka.pid');
const logFileOf = (node: ClusterNode) => path.join(node.dir, 'kafka.log');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The node's pid when its process runs (the properties path in its command line tells it apart). */
export function nodePid(node: ClusterNode): number | undefined {
  const pid = readPid(pidFileOf(node));
  return pid !== undefined && isOurProcess(pid, propertiesOf(node)) ? pid : undefined;
}

/** True when the node answers metadata requests with every node of the cluster registered. */
const nodeHealthy = async (node: ClusterNode, expected: number): Promise<boolean> => (await brokersAnswering(`127.0.0.1:${node.port}`)) >= expected;

/** Writes every node's properties and formats the storage of those never formatted, with one cluster id. */
function prepare(java: string, libs: string, nodes: readonly ClusterNode[]): void {
  const idFile = path.join(path.dirname(nodes[0]!.dir), 'cluster.id');
  if (!fs.existsSync(idFile)) {
    fs.mkdirSync(path.dirname(idFile), { recursive: true });
    fs.writeFileSync(idFile, newClusterId());
  }
  let clusterId = fs.readFileSync(idFile, 'utf8').trim();
  // An id kept from before ids were kept off '-' never formatted a node: replace it.
  if (clusterId.startsWith('-') && !nodes.some((n) => fs.existsSync(path.join(n.dir, 'data', 'meta.properties')))) {
    clusterId = newClusterId();
    fs.writeFileSync(idFile, clusterId);
  }
  for (const node of nodes) {
    fs.mkdirSync(node.dir, { recursive: true });
    fs.writeFileSync(propertiesOf(node), nodeProperties(node, nodes));
    if (fs.existsSync(path.join(node.dir, 'data', 'meta.properties'))) continue;
    const format = spawnSync(java, ['-cp', `${libs}/*`, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', propertiesOf(node)], { encoding: 'utf8' });
    if (format.status !== 0) throw new Error(`Formatting the storage of Kafka node ${node.id} failed:\n${format.stdout}${format.stderr}`);
  }
}

function launch(s: StackSettings, java: string, libs: string, node: ClusterNode): number {
  return startDetached(
    java,
    [
      `-Xmx${s.kafkaHeapMb}m`,
      `-Xms${Math.min(256, s.kafkaHeapMb)}m`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${path.join(projectRoot, 'scripts/stack/log4j2.properties')}`,
      '-cp',
      `${libs}/*`,
      'kafka.Kafka',
      propertiesOf(node),
    ],
    { cwd: node.dir, env: { ...process.env }, logFile: logFileOf(node), pidFile: pidFileOf(node) },
  );
}

/**
 * Starts a KRaft cluster of `brokers` combined nodes (replication factor 3, min.insync.replicas 2
 * for three, for its own topics and, as `topics apply` reads the broker count, for the config's),
 * jars from the same cache as the single broker. A no-op for nodes already up; waits
 * until every node sees the whole cluster. Returns the ids of the nodes it started.
 */
export async function clusterUp(s: StackSettings, options: ClusterOptions, report: (line: string) => void = console.log): Promise<number[]> {
  const nodes = clusterNodes(s, options);
  const single = kafkaServer(s);
  single.install();
  const libs = path.join(s.cacheDir, `kafka-${s.kafkaVersion}`, 'libs');
  const java = javaCommand();
  const toStart = nodes.filter((n) => nodePid(n) === undefined);
  for (const node of toStart) {
    await ensurePortFree(node.port, `kafka node ${node.id}`, 'STREAMFOLD_KAFKA_PORT');
    await ensurePortFree(node.controllerPort, `kafka node ${node.id}`, 'STREAMFOLD_KAFKA_PORT');
  }
  prepare(java, libs, nodes);
  for (const node of toStart) report(`kafka node ${node.id}: starting (pid ${launch(s, java, libs, node)}, log ${logFileOf(node)})`);
  const deadline = Date.now() + s.startTimeoutMs;
  for (const node of nodes) {
    while (!(await nodeHealthy(node, nodes.length))) {
      if (nodePid(node) === undefined) {
        await clusterDown(s, options, () => undefined);
        throw new StackError('SERVER_DIED', `kafka node ${node.id} exited while starting. The end of ${logFileOf(node)}:\n${lastLines(logFileOf(node))}`);
      }
      if (Date.now() > deadline) {
        await clusterDown(s, options, () => undefined);
        throw new StackError('START_TIMEOUT', `the ${nodes.length}-node Kafka cluster was not healthy within ${s.startTimeoutMs} ms. Raise STREAMFOLD_START_TIMEOUT_MS on a slow machine.`);
      }
      await sleep(500);
    }
    report(`kafka node ${node.id}: healthy at 127.0.0.1:${node.port}`);
  }
  return toStart.map((n) => n.id);
}

/** Stops the cluster's nodes (all, or the ids given); their data stays. */
export async function clusterDown(s: StackSettings, options: ClusterOptions, report: (line: string) => void = console.log, ids?: readonly number[]): Promise<void> {
  for (const node of clusterNodes(s, options).filter((n) => !ids || ids.includes(n.id))) {
    const pid = nodePid(node);
    if (pid === undefined) continue;
    await stopProcess(pid);
    fs.rmSync(pidFileOf(node), { force: true });
    report(`kafka node ${node.id}: stopped (pid ${pid})`);
  }
}

/** SIGKILLs one node, for fault tests; resolves once it is gone. */
export async function killClusterNode(s: StackSettings, options: ClusterOptions, id: number): Promise<void> {
  const node = clusterNodes(s, options).find((n) => n.id === id);
  const pid = node && nodePid(node);
  if (!node || pid === undefined) throw new Error(`kafka node ${id} is not running`);
  process.kill(pid, 'SIGKILL');
  while (nodePid(node) !== undefined) await sleep(50);
}

/** Each node of the cluster found in the state folder, with its pid and health. */
export async function clusterStatus(s: StackSettings, options: ClusterOptions = { brokers: 0 }) {
  const nodes = clusterNodes(s, options);
  return Promise.all(
    nodes.map(async (node) => ({ node, pid: nodePid(node), healthy: nodePid(node) !== undefined && (await nodeHealthy(node, nodes.length)) })),
  );
}

/**
 * The registry beside a cluster, as `stack up` runs it (same pid and log files, so `stack status`
 * and `stack down` see it); a no-op when it runs.
 */
export async function registryUp(s: StackSettings, report: (line: string) => void = console.log): Promise<void> {
  const server = registryServer(s);
  const pidFile = path.join(s.stateDir, 'registry.pid');
  const running = readPid(pidFile);
  if (running !== undefined && isOurProcess(running, server.processMarker)) return;
  const java = javaCommand();
  server.install();
  for (const { port, envVar } of server.ports) await ensurePortFree(port, server.name, envVar);
  await server.prepare(java);
  const { args, env, cwd } = server.launch(java);
  const logFile = path.join(s.stateDir, 'registry.log');
  const pid = startDetached(java, args, { cwd, env, logFile, pidFile });
  report(`registry: starting (pid ${pid}, log ${logFile})`);
  const deadline = Date.now() + s.startTimeoutMs;
  while (!(await server.healthy())) {
    if (!isOurProcess(pid, server.processMarker)) throw new StackError('SERVER_DIED', `the registry exited while starting. The end of ${logFile}:\n${lastLines(logFile)}`);
    if (Date.now() > deadline) {
      await stopProcess(pid);
      throw new StackError('START_TIMEOUT', `the registry was not healthy within ${s.startTimeoutMs} ms. Raise STREAMFOLD_START_TIMEOUT_MS on a slow machine.`);
    }
    await sleep(500);
  }
  report(`registry: healthy at ${server.address}`);
}
