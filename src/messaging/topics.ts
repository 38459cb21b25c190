import fs from 'node:fs';
import path from 'node:path';
import type { TransportAdmin } from './transport.ts';

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
