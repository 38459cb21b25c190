import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Settings } from '../config/settings.ts';
import { resolveConfig, type StreamfoldConfig, type StreamfoldConfigInput } from '../config/streamfoldConfig.ts';
import { createTransport } from '../messaging/createTransport.ts';
import { databaseNameOf, dropDatabase, withDatabase } from '../eventlog/database.ts';

/**
 * A config's domains, projections and reactors renamed `<name>_<suffix>`, so a test gets topics,
 * consumer groups and read-model schemas of its own on a shared Kafka and Postgres.
 */
export function isolateConfig(base: StreamfoldConfigInput, baseDir: string, suffix: string, topicsDir: string): StreamfoldConfig {
  const named = (name: string) => `${name}_${suffix}`;
  return resolveConfig(
    {
      app: `test.${suffix}`,
      avroDir: path.resolve(baseDir, base.avroDir ?? 'avro'),
      topicsDir,
      domains: base.domains.map((d) => ({ ...d, name: named(d.name) })),
      projections: (base.projections ?? []).map((p) => ({ ...p, name: named(p.name), sources: p.sources.map(named) })),
      reactors: (base.reactors ?? []).map((r) => ({ ...r, name: named(r.name), sources: r.sources.map(named) })),
    },
    baseDir,
  );
}

/** A temporary folder of topic files: each domain's command and event topics and their dead-letter topics. */
export function writeTopicFiles(config: StreamfoldConfig, partitions: number): string {
  const dir = config.topicsDir;
  for (const { name } of config.domains) {
    for (const [topic, topicConfig] of [
      [`${name}.commands`, {}],
      [`${name}.events`, { 'retention.ms': '-1' }],
      [`${name}.commands.dlq`, { 'retention.ms': '-1' }],
      [`${name}.events.dlq`, { 'retention.ms': '-1' }],
    ] as const) {
      const spec = { name: topic, partitions: topic.endsWith('.dlq') ? 1 : partitions, replicationFactor: 1, config: topicConfig };
      fs.writeFileSync(path.join(dir, `${topic}.json`), JSON.stringify(spec));
    }
  }
  return dir;
}

export const temporaryTopicsDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'streamfold-test-topics-'));

/** The test's own database on the server of `settings.databaseUrl`. */
export const isolatedDatabaseUrl = (settings: Settings, suffix: string) => withDatabase(settings.databaseUrl, `sf_${suffix}`.toLowerCase());

/** Deletes what isolation made: the topics in the topic files, the database, the folder. */
export async function removeIsolated(settings: Settings, topicsDir: string, databaseUrl: string): Promise<void> {
  const admin = createTransport(settings, 'streamfold-test-cleanup').admin();
  await admin.connect();
  const topics = fs.readdirSync(topicsDir).map((f) => f.replace(/\.json$/, ''));
  await admin.deleteTopics(topics).catch(() => undefined);
  await admin.disconnect();
  await dropDatabase(databaseUrl, databaseNameOf(databaseUrl));
  fs.rmSync(topicsDir, { recursive: true, force: true });
}
