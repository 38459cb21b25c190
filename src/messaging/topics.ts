import fs from 'node:fs';
import path from 'node:path';
import { StreamfoldError, type CoreErrorCode } from '../core/index.ts';
import type { TransportAdmin } from './transport.ts';

/** A topic as applied: its file's partitions and config, with the replication chosen for the cluster. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
  readonly file: string;
}

/** A topic file as written: replication is usually left to the cluster it is applied to. */
export interface TopicFile extends Omit<TopicSpec, 'replicationFactor'> {
  readonly replicationFactor?: number;
}

/** Reads topics/*.json; a malformed file is named with what is wrong in it. */
export function loadTopicSpecs(topicsDir: string): TopicFile[] {
  return fs
    .readdirSync(topicsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = path.join(topicsDir, f);
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<TopicSpec>;
      if (typeof raw.name !== 'string' || !Number.isInteger(raw.partitions) || (raw.partitions ?? 0) < 1) {
        throw new Error(`${file}: needs "name" (string) and "partitions" (integer ≥ 1).`);
      }
      if (raw.replicationFactor !== undefined && (!Number.isInteger(raw.replicationFactor) || raw.replicationFactor < 1)) {
        throw new Error(`${file}: "replicationFactor" must be an integer ≥ 1, or left out to follow the cluster.`);
      }
      return {
        name: raw.name,
        partitions: raw.partitions as number,
        ...(raw.replicationFactor === undefined ? {} : { replicationFactor: raw.replicationFactor }),
        config: Object.fromEntries(Object.entries(raw.config ?? {}).map(([k, v]) => [k, String(v)])),
        file,
      };
    });
}

/** Replication asked for by the operator (a flag, else a variable); what is left out follows the file, then the cluster. */
export interface ReplicationChoice {
  readonly replicationFactor?: number | undefined;
  readonly minInsyncReplicas?: number | undefined;
}

/** Two copies must hold a write once there are three; below that one does, or a lost broker would stop writes. */
const minInsyncFor = (replicationFactor: number) => (replicationFactor >= 3 ? 2 : 1);

/** What a cluster of `brokers` gives a topic that asks for nothing: the local stack's one broker 1 and 1, three or more 3 and 2. */
export function clusterReplication(brokers: number): { replicationFactor: number; minInsyncReplicas: number } {
  const replicationFactor = Math.max(1, Math.min(3, brokers));
  return { replicationFactor, minInsyncReplicas: minInsyncFor(replicationFactor) };
}

/**
 * The replication of each topic, first found wins: the flag or variable (`choice`), the topic file
 * (`replicationFactor`, `config["min.insync.replicas"]`), then the cluster: a factor of
 * min(3, brokers) and min.insync.replicas 2 from a factor of 3 (1 below it), so one broker, the
 * local stack, gets 1 and 1, and three brokers or more get 3 and 2. A factor above the broker
 * count, or a min.insync.replicas above the factor (every write would fail), is refused.
 */
export function withReplication(files: readonly TopicFile[], brokers: number, choice: ReplicationChoice = {}): TopicSpec[] {
  return files.map((file) => {
    const replicationFactor = choice.replicationFactor ?? file.replicationFactor ?? clusterReplication(brokers).replicationFactor;
    const fromFile = file.config['min.insync.replicas'];
    const minInsync = choice.minInsyncReplicas ?? (fromFile === undefined ? minInsyncFor(replicationFactor) : Number(fromFile));
    if (replicationFactor > brokers) {
      const asked = choice.replicationFactor !== undefined ? 'asked for (--replication-factor or STREAMFOLD_TOPIC_REPLICATION_FACTOR)' : `in ${file.file}`;
      throw topicRefusal(`replication factor ${replicationFactor} ${asked} is more than the cluster's ${brokers} broker${brokers === 1 ? '' : 's'}; give ${brokers} or less`);
    }
    if (!Number.isInteger(minInsync) || minInsync < 1 || minInsync > replicationFactor) {
      const asked = choice.minInsyncReplicas !== undefined ? 'asked for (--min-insync-replicas or STREAMFOLD_TOPIC_MIN_INSYNC_REPLICAS)' : `in ${file.file}`;
      throw topicRefusal(`min.insync.replicas ${choice.minInsyncReplicas ?? fromFile} ${asked} is not from 1 to the replication factor ${replicationFactor}, so no write to ${file.name} could be acknowledged`);
    }
    return { ...file, replicationFactor, config: { ...file.config, 'min.insync.replicas': String(minInsync) } };
  });
}

const topicRefusal = (message: string) => new StreamfoldError<CoreErrorCode>('CONFIGURATION', message);

export interface TopicReport {
  readonly created: string[];
  readonly unchanged: string[];
  /** Differences between a file and the broker; never fixed automatically, since data is at stake. */
  readonly drift: { topic: string; what: string; file: string; broker: string }[];
}

/** Creates missing topics and reports drift on existing ones. Deletes and alters nothing. */
export async function applyTopics(admin: TransportAdmin, specs: readonly TopicSpec[]): Promise<TopicReport> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length > 0) await admin.createTopics(missing);
  const present = specs.filter((s) => existing.has(s.name));
  const drift: TopicReport['drift'] = [];
  const described = await admin.describeTopics(present.map((s) => s.name));
  for (const spec of present) {
    const broker = described.find((t) => t.name === spec.name);
    const partitions = broker?.partitions ?? 0;
    if (partitions !== spec.partitions) drift.push({ topic: spec.name, what: 'partitions', file: String(spec.partitions), broker: String(partitions) });
    const replicas = broker?.replicationFactor ?? 0;
    if (replicas !== spec.replicationFactor) {
      drift.push({ topic: spec.name, what: 'replicationFactor', file: String(spec.replicationFactor), broker: String(replicas) });
    }
    for (const [name, value] of Object.entries(spec.config)) {
      const actual = broker?.config[name];
      if (actual !== value) drift.push({ topic: spec.name, what: name, file: value, broker: actual ?? '(unset)' });
    }
  }
  const driftingTopics = new Set(drift.map((d) => d.topic));
  return {
    created: missing.map((s) => s.name),
    unchanged: present.filter((s) => !driftingTopics.has(s.name)).map((s) => s.name),
    drift,
  };
}
