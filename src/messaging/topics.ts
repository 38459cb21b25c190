import fs from 'node:fs';
import path from 'node:path';
import kafkajs from 'kafkajs';

import type { Admin } from 'kafkajs';

// kafkajs is CommonJS; Node's ESM loader does not see all its named exports.
const { ConfigResourceTypes } = kafkajs;

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
  readonly file: string;
}

/** Reads topics/*.json; a malformed file is named with what is wrong in it. */
export function loadTopicSpecs(topicsDir: string): TopicSpec[] {
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
      return {
        name: raw.name,
        partitions: raw.partitions as number,
        replicationFactor: raw.replicationFactor ?? 1,
        config: Object.fromEntries(Object.entries(raw.config ?? {}).map(([k, v]) => [k, String(v)])),
        file,
      };
    });
}

export interface TopicReport {
  readonly created: string[];
  readonly unchanged: string[];
  /** Differences between a file and the broker; never fixed automatically, since data is at stake. */
  readonly drift: { topic: string; what: string; file: string; broker: string }[];
}

/** Creates missing topics and reports drift on existing ones. Deletes and alters nothing. */
export async function applyTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<TopicReport> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length > 0) {
    // kafkajs's own waitForLeaders asks only the controller broker and gives up on its first
    // UNKNOWN_TOPIC_OR_PARTITION, which a KRaft cluster answers until the new topic's metadata
    // reaches that broker (seen on the three-broker fault cluster); waitForLeaders below retries it.
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((s) => ({
        topic: s.name,
        numPartitions: s.partitions,
        replicationFactor: s.replicationFactor,
        configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
      })),
    });
    await waitForLeaders(admin, missing.map((s) => s.name));
  }
  const present = specs.filter((s) => existing.has(s.name));
  const drift: TopicReport['drift'] = [];
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((s) => s.name) });
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: present.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.name })),
    });
    for (const spec of present) {
      const brokerPartitions = metadata.topics.find((t) => t.name === spec.name)?.partitions ?? [];
      if (brokerPartitions.length !== spec.partitions) {
        drift.push({ topic: spec.name, what: 'partitions', file: String(spec.partitions), broker: String(brokerPartitions.length) });
      }
      const replicas = brokerPartitions[0]?.replicas.length ?? 0;
      if (replicas !== spec.replicationFactor) {
        drift.push({ topic: spec.name, what: 'replicationFactor', file: String(spec.replicationFactor), broker: String(replicas) });
      }
      const entries = configs.resources.find((r) => r.resourceName === spec.name)?.configEntries ?? [];
      for (const [name, value] of Object.entries(spec.config)) {
        const actual = entries.find((e) => e.configName === name)?.configValue;
        if (actual !== value) drift.push({ topic: spec.name, what: name, file: value, broker: actual ?? '(unset)' });
      }
    }
  }
  const driftingTopics = new Set(drift.map((d) => d.topic));
  return {
    created: missing.map((s) => s.name),
    unchanged: present.filter((s) => !driftingTopics.has(s.name)).map((s) => s.name),
    drift,
  };
}

/** Metadata answers that mean "not yet": the topic is still reaching the broker asked, or electing leaders. */
const notYet = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/** Waits until every partition of `topics` has a leader, so the first produce after setup finds one. */
export async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = metadata.topics.flatMap((t) => t.partitions.filter((p) => p.leader < 0).map((p) => `${t.name}[${p.partitionId}]`));
      if (leaderless.length === 0 && metadata.topics.length === topics.length) return;
      last = `partitions without a leader: ${leaderless.join(', ')}`;
    } catch (error) {
      if (!notYet.has((error as { type?: string }).type ?? '')) throw error;
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `created topics ${topics.join(', ')} but their partitions had no leader after ${timeoutMs / 1000} s (${last}); check that every broker is up (streamfold stack status) and run setup again`,
  );
}
