import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/settings.ts';
import { createTransport } from '../../src/messaging/createTransport.ts';
import type { TransportAdmin } from '../../src/messaging/transport.ts';
import { spawnStreamfold } from '../support/childProcesses.ts';

// `topics apply` against the shared single broker: replication from flags, variables, the file or the cluster.
describe('topics apply: replication factor and min.insync.replicas', () => {
  const prefix = `topicsapply_${randomBytes(3).toString('hex')}`;
  const [plain, pinned, drifting] = ['plain', 'pinned', 'drifting'].map((n) => `${prefix}.${n}`) as [string, string, string];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamfold-topics-apply-'));
  const topicsDir = path.join(dir, 'topics');
  let admin: TransportAdmin;

  const writeTopic = (name: string, more: Record<string, unknown> = {}) =>
    fs.writeFileSync(path.join(topicsDir, `${name}.json`), JSON.stringify({ name, partitions: 2, config: { 'retention.ms': '-1' }, ...more }));

  const apply = async (args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const child = spawnStreamfold(['topics', 'apply', ...args], { ...process.env, STREAMFOLD_CONFIG: path.join(dir, 'streamfold.config.mjs'), ...env });
    const code = await child.exited;
    return { code, output: child.output() };
  };

  beforeAll(async () => {
    fs.mkdirSync(topicsDir);
    fs.writeFileSync(path.join(dir, 'streamfold.config.mjs'), `export default { app: '${prefix}', topicsDir: 'topics', domains: [] };\n`);
    admin = createTransport(readSettings(), `${prefix}.admin`).admin();
    await admin.connect();
  });

  afterAll(async () => {
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics([plain, pinned, drifting].filter((t) => existing.has(t)));
    await admin.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a replication factor above the broker count, from a flag or a variable, in one line, creating nothing', async () => {
    writeTopic(plain);
    for (const asked of [apply(['--replication-factor', '3']), apply([], { STREAMFOLD_TOPIC_REPLICATION_FACTOR: '3' })]) {
      const { code, output } = await asked;
      expect(code).toBe(1);
      expect(output).toBe(
        "streamfold: replication factor 3 asked for (--replication-factor or STREAMFOLD_TOPIC_REPLICATION_FACTOR) is more than the cluster's 1 broker; give 1 or less\n",
      );
    }
    const minIsr = await apply(['--min-insync-replicas', '2']);
    expect(minIsr.code).toBe(1);
    expect(minIsr.output).toMatch(/^streamfold: min\.insync\.replicas 2 asked for \(--min-insync-replicas or STREAMFOLD_TOPIC_MIN_INSYNC_REPLICAS\) is not from 1 to the replication factor 1/);
    const usage = await apply(['--replication-factor', '0']);
    expect(usage.code).toBe(2);
    expect(usage.output).toContain('--replication-factor: "0" is not a whole number from 1');
    expect(await admin.listTopics()).not.toContain(plain);
  });

  it('creates with the cluster default (1 and 1 on one broker); a flag overrides the file', async () => {
    // The file asks for 2 replicas, more than the broker has: the flag decides.
    writeTopic(pinned, { replicationFactor: 2 });
    const refused = await apply();
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`replication factor 2 in ${path.join(topicsDir, `${pinned}.json`)} is more than the cluster's 1 broker`);
    const { code, output } = await apply(['--replication-factor', '1']);
    expect(code).toBe(0);
    expect(output).toContain(`created   ${plain}`);
    expect(output).toContain(`created   ${pinned}`);
    const described = await admin.describeTopics([plain, pinned]);
    const shape = described.map((t) => [t.name, t.partitions, t.replicationFactor, t.config['min.insync.replicas'], t.config['retention.ms']]);
    expect(shape.sort()).toEqual([
      [pinned, 2, 1, '1', '-1'],
      [plain, 2, 1, '1', '-1'],
    ]);
    // Applied again with the same choice (the variable now): nothing to do. Files are read in name order.
    expect(await apply([], { STREAMFOLD_TOPIC_REPLICATION_FACTOR: '1' })).toEqual({ code: 0, output: `ok        ${pinned}\nok        ${plain}\n` });
  });

  it('reports drift (exit 2) for a topic whose min.insync.replicas differs, without changing it', async () => {
    fs.rmSync(path.join(topicsDir, `${pinned}.json`));
    await admin.createTopics([{ name: drifting, partitions: 2, replicationFactor: 1, config: { 'retention.ms': '-1', 'min.insync.replicas': '2' } }]);
    writeTopic(drifting);
    const { code, output } = await apply();
    expect(code).toBe(2);
    expect(output).toContain(`DRIFT     ${drifting}: min.insync.replicas is 2 on the broker, 1 wanted (not changed; fix by hand)`);
    expect(output).toContain(`ok        ${plain}`);
    expect((await admin.describeTopics([drifting]))[0]?.config['min.insync.replicas']).toBe('2');
  });
});
