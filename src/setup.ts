import type { Settings } from './config/settings.ts';
import { topicsDirOf, type StreamfoldConfig } from './config/streamfoldConfig.ts';
import { createPool, migrate } from './eventlog/index.ts';
import { ensureDatabase } from './eventlog/database.ts';
import { createTransport } from './messaging/createTransport.ts';
import { MessagingError } from './messaging/errors.ts';
import type { RegistrationResult } from './messaging/schemaCatalog.ts';
import { registerWithUpcasters } from './schemaCheck.ts';
import { applyTopics, loadTopicSpecs, withReplication, type ReplicationChoice, type TopicReport } from './messaging/topics.ts';

export async function migrateEventLog(settings: Settings): Promise<string[]> {
  await ensureDatabase(settings.databaseUrl);
  const pool = createPool(settings.databaseUrl, 1);
  try {
    return await migrate(pool);
  } finally {
    await pool.end();
  }
}

/**
 * Creates the config's missing topics and reports drift. Replication: `choice` (the CLI's flags),
 * else the settings' variables, else each topic file, else the cluster's size (see withReplication).
 */
export async function applyTopicFiles(settings: Settings, config: StreamfoldConfig, choice: ReplicationChoice = {}): Promise<TopicReport> {
  const files = loadTopicSpecs(topicsDirOf(config));
  const admin = createTransport(settings, `${config.app}.admin`).admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    const chosen = {
      replicationFactor: choice.replicationFactor ?? settings.topicReplicationFactor,
      minInsyncReplicas: choice.minInsyncReplicas ?? settings.topicMinInsyncReplicas,
    };
    return await applyTopics(admin, withReplication(files, brokers.length, chosen));
  } finally {
    await admin.disconnect();
  }
}

export async function registerSchemaFiles(settings: Settings, config: StreamfoldConfig): Promise<RegistrationResult[]> {
  return registerWithUpcasters(settings, config);
}

export function describeTopicReport(report: TopicReport): string {
  const lines = [
    ...report.created.map((t) => `created   ${t}`),
    ...report.unchanged.map((t) => `ok        ${t}`),
    ...report.drift.map((d) => `DRIFT     ${d.topic}: ${d.what} is ${d.broker} on the broker, ${d.file} wanted (not changed; fix by hand)`),
  ];
  return lines.join('\n');
}

/** Migrate, create topics, register schemas: what every process needs before it starts. */
export async function prepareAll(settings: Settings, config: StreamfoldConfig, report: (line: string) => void = () => undefined) {
  for (const file of await migrateEventLog(settings)) report(`migrated ${file}`);
  const topics = await applyTopicFiles(settings, config);
  for (const t of topics.created) report(`created topic ${t}`);
  const registered = await registerSchemaFiles(settings, config);
  const refused = registered.filter((r) => r.error);
  if (refused.length > 0) {
    throw new MessagingError('SCHEMA_NOT_REGISTERED', `the registry refused ${refused.map((r) => `${r.file}: ${r.error}`).join('\n')}`, false);
  }
  return { topics, registered };
}
