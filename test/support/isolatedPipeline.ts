import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { readSettings, type Settings } from '../../src/config/settings.ts';
import { resolveConfig, type StreamfoldConfig, type StreamfoldConfigInput } from '../../src/config/streamfoldConfig.ts';
import { createKafka } from '../../src/messaging/kafkajs/kafka.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { prepareAll } from '../../src/setup.ts';
import { withDatabase } from '../../src/eventlog/database.ts';

export const projectRoot = path.resolve(import.meta.dirname, '../..');

export interface IsolatedPipeline {
  readonly suffix: string;
  readonly settings: Settings;
  readonly config: StreamfoldConfig;
  readonly runtime: Runtime;
  /** The isolated name of one of the demo's domains or projections ('roster' → 'roster_ab12cd'). */
  readonly named: (name: string) => string;
  /** Environment for a `streamfold` child process that runs this same isolated config. */
  readonly childEnv: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/** Writes topic files for each domain: commands, events and their dead-letter topics; replication follows the cluster (topics apply). */
function writeTopicFiles(dir: string, domainNames: readonly string[], partitions: number): void {
  for (const name of domainNames) {
    for (const [topic, config] of [
      [`${name}.commands`, {}],
      [`${name}.events`, { 'retention.ms': '-1' }],
      [`${name}.commands.dlq`, { 'retention.ms': '-1' }],
      [`${name}.events.dlq`, { 'retention.ms': '-1' }],
    ] as const) {
      fs.writeFileSync(path.join(dir, `${topic}.json`), JSON.stringify({ name: topic, partitions: topic.endsWith('.dlq') ? 1 : partitions, config }));
    }
  }
}

/**
 * A config's domains, projections and reactors under names of their own (`roster` → `roster_<suffix>`),
 * so they get their own topics, consumer groups and read-model schemas. Pure: a child process
 * given the same suffix builds the same config (see test/fixtures/isolated.config.ts).
 */
export function isolatedConfig(base: StreamfoldConfigInput, baseDir: string, suffix: string, topicsDir: string): StreamfoldConfig {
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

export const databaseUrlFor = (suffix: string) => withDatabase(readSettings().databaseUrl, `sf_${suffix}`.toLowerCase());

/** An isolated config with its topics created, schemas registered and a fresh, migrated database. */
export async function isolatedPipeline(
  label: string,
  options: { partitions?: number; configFile?: string; sameAs?: IsolatedPipeline } = {},
): Promise<IsolatedPipeline> {
  const configFile = options.configFile ?? path.join(projectRoot, 'streamfold.config.ts');
  const base = (await import(configFile)).default as StreamfoldConfigInput;
  // `sameAs`: the next version of an app on the same topics and database (its cleanup drops them).
  const suffix = options.sameAs?.suffix ?? `${label}_${randomBytes(3).toString('hex')}`;
  const named = (name: string) => `${name}_${suffix}`;
  const topicsDir = options.sameAs?.childEnv.STREAMFOLD_TEST_TOPICS_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'streamfold-topics-'));
  const config = isolatedConfig(base, path.dirname(configFile), suffix, topicsDir);
  writeTopicFiles(topicsDir, config.domains.map((d) => d.name), options.partitions ?? 3);
  const root = readSettings();
  const database = `sf_${suffix}`.toLowerCase();
  const settings: Settings = { ...root, databaseUrl: databaseUrlFor(suffix) };
  await prepareAll(settings, config);
  const runtime = await openRuntime(config, 'test', settings);
  return {
    suffix,
    settings,
    config,
    runtime,
    named,
    childEnv: {
      ...process.env,
      DATABASE_URL: settings.databaseUrl,
      STREAMFOLD_CONFIG: path.join(projectRoot, 'test/fixtures/isolated.config.ts'),
      STREAMFOLD_TEST_BASE_CONFIG: configFile,
      STREAMFOLD_TEST_SUFFIX: suffix,
      STREAMFOLD_TEST_TOPICS_DIR: topicsDir,
    },
    async cleanup() {
      await runtime.close();
      if (options.sameAs) return;
      const admin = createKafka(settings, 'test-cleanup').admin();
      await admin.connect();
      await admin.deleteTopics({ topics: fs.readdirSync(topicsDir).map((f) => f.replace(/\.json$/, '')) }).catch(() => undefined);
      await admin.disconnect();
      const client = new pg.Client({ connectionString: withDatabase(root.databaseUrl, 'postgres') });
      await client.connect();
      await client.query(`drop database if exists ${client.escapeIdentifier(database)} with (force)`);
      await client.end();
      fs.rmSync(topicsDir, { recursive: true, force: true });
    },
  };
}
