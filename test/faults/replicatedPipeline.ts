import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { readSettings, type Settings } from '../../src/config/settings.ts';
import type { StreamfoldConfigInput } from '../../src/config/streamfoldConfig.ts';
import { createKafka } from '../../src/messaging/kafkajs/kafka.ts';
import { openRuntime } from '../../src/runtime.ts';
import { prepareAll } from '../../src/setup.ts';
import { withDatabase } from '../../src/eventlog/database.ts';
import { databaseUrlFor, isolatedConfig, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';

/**
 * isolatedPipeline (test/support) with replicated topics: replication factor and
 * min.insync.replicas of our choosing, for the three-broker cluster of fault 11.
 */
export async function replicatedPipeline(
  label: string,
  options: { configFile: string; partitions: number; replicationFactor: number; minInsyncReplicas: number },
): Promise<IsolatedPipeline> {
  const base = (await import(options.configFile)).default as StreamfoldConfigInput;
  const suffix = `${label}_${randomBytes(3).toString('hex')}`;
  const topicsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamfold-topics-'));
  const config = isolatedConfig(base, path.dirname(options.configFile), suffix, topicsDir);
  for (const { name } of config.domains) {
    for (const topic of [`${name}.commands`, `${name}.events`, `${name}.commands.dlq`, `${name}.events.dlq`]) {
      const spec = {
        name: topic,
        partitions: topic.endsWith('.dlq') ? 1 : options.partitions,
        replicationFactor: options.replicationFactor,
        config: { 'min.insync.replicas': String(options.minInsyncReplicas), ...(topic.endsWith('.commands') ? {} : { 'retention.ms': '-1' }) },
      };
      fs.writeFileSync(path.join(topicsDir, `${topic}.json`), JSON.stringify(spec));
    }
  }
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
    named: (name: string) => `${name}_${suffix}`,
    childEnv: {
      ...process.env,
      DATABASE_URL: settings.databaseUrl,
      STREAMFOLD_CONFIG: path.join(projectRoot, 'test/fixtures/isolated.config.ts'),
      STREAMFOLD_TEST_BASE_CONFIG: options.configFile,
      STREAMFOLD_TEST_SUFFIX: suffix,
      STREAMFOLD_TEST_TOPICS_DIR: topicsDir,
    },
    async cleanup() {
      await runtime.close();
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
