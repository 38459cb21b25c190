import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import type { StackSettings } from './settings.ts';
import { runMaven } from './maven.ts';
import { isInstalled, markInstalled, projectRoot, type ManagedServer } from './server.ts';
import { newClusterId } from './clusterId.ts';
import { brokersAnswering } from '../messaging/createTransport.ts';

function serverProperties(s: StackSettings, dataDir: string): string {
  return `# Written by streamfold stack up: one combined KRaft node, reachable on 127.0.0.1 only.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:${s.kafkaControllerPort}
listeners=PLAINTEXT://127.0.0.1:${s.kafkaPort},CONTROLLER://127.0.0.1:${s.kafkaControllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${s.kafkaPort}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${dataDir}
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.coordinator.append.linger.ms=0
num.network.threads=2
num.io.threads=4
`;
}

const answersMetadata = async (port: number): Promise<boolean> => (await brokersAnswering(`127.0.0.1:${port}`)) > 0;

/** Apache Kafka 4.x as one KRaft node (broker and controller), jars from Maven Central. */
export function kafkaServer(s: StackSettings): ManagedServer {
  const libs = path.join(s.cacheDir, `kafka-${s.kafkaVersion}`, 'libs');
  const dataDir = path.join(s.stateDir, 'kafka-data');
  const properties = path.join(s.stateDir, 'kafka-server.properties');
  const classpath = `${libs}/*`;

  return {
    name: 'kafka',
    address: `127.0.0.1:${s.kafkaPort}`,
    ports: [
      { port: s.kafkaPort, envVar: 'STREAMFOLD_KAFKA_PORT' },
      { port: s.kafkaControllerPort, envVar: 'STREAMFOLD_KAFKA_CONTROLLER_PORT' },
    ],
    // The properties path holds the state folder, so another checkout's broker is never taken for ours.
    processMarker: properties,

    install() {
      if (isInstalled(libs)) return;
      fs.mkdirSync(libs, { recursive: true });
      runMaven(
        [
          '-f',
          path.join(projectRoot, 'scripts/stack/kafka-pom.xml'),
          'dependency:copy-dependencies',
          `-Dkafka.version=${s.kafkaVersion}`,
          `-DoutputDirectory=${libs}`,
          '-DincludeScope=runtime',
        ],
        `org.apache.kafka:kafka_2.13:${s.kafkaVersion} and its dependencies`,
        projectRoot,
      );
      markInstalled(libs);
    },

    async prepare(java) {
      fs.writeFileSync(properties, serverProperties(s, dataDir));
      if (fs.existsSync(path.join(dataDir, 'meta.properties'))) return;
      const clusterId = newClusterId();
      const format = spawnSync(
        java,
        ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '--standalone', `--cluster-id=${clusterId}`, '-c', properties],
        { encoding: 'utf8' },
      );
      if (format.status !== 0) {
        throw new Error(`Formatting the Kafka storage in ${dataDir} failed:\n${format.stdout}${format.stderr}`);
      }
    },

    launch() {
      return {
        cwd: s.stateDir,
        env: { ...process.env },
        args: [
          `-Xmx${s.kafkaHeapMb}m`,
          `-Xms${Math.min(256, s.kafkaHeapMb)}m`,
          '-XX:+UseG1GC',
          '-XX:MaxGCPauseMillis=20',
          '-Djava.awt.headless=true',
          `-Dlog4j2.configurationFile=${path.join(projectRoot, 'scripts/stack/log4j2.properties')}`,
          '-cp',
          classpath,
          'kafka.Kafka',
          properties,
        ],
      };
    },

    healthy: () => answersMetadata(s.kafkaPort),
  };
}
