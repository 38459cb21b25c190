import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

import { readStackSettings, type StackSettings } from '../../src/stack/settings.ts';
import { StackError } from '../../src/stack/errors.ts';
import { stackDown, stackStatus, stackUp } from '../../src/stack/stack.ts';
import { createRegistry, registerSchemas } from '../../src/messaging/schemaCatalog.ts';
import { avroFolder, deleteSubjectAfterTest, onlySchema, uniqueName } from '../support/kafkaTestKit.ts';

const settings = readStackSettings();
const quiet = () => undefined;

/** A state folder of its own, so pid files written here touch none of the running stack's. */
function temporaryStateDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamfold-state-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A port this test holds open on 127.0.0.1 until it finishes. */
async function heldPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

/** Pid files naming this node process: alive, but neither Kafka nor the registry. */
function writeStalePidFiles(stateDir: string): string[] {
  const files = ['kafka.pid', 'registry.pid'].map((name) => path.join(stateDir, name));
  for (const file of files) fs.writeFileSync(file, `${process.pid}\n`);
  return files;
}

function javaProcessesMentioning(text: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmdline.includes('java') && cmdline.includes(text);
      } catch {
        return false; // the process ended while we looked
      }
    })
    .map(Number);
}

describe('the local stack', () => {
  it('keeps registered schemas across a registry restart', async () => {
    const schemas = avroFolder({
      'survivor.avsc': { type: 'record', name: 'Survivor', namespace: uniqueName('inttest'), fields: [{ name: 'n', type: 'int' }] },
    });
    const { subject } = onlySchema(schemas);
    deleteSubjectAfterTest(subject);
    const [registered] = await registerSchemas(createRegistry(settings.registryUrl), schemas.values());
    const id = registered?.id as number;
    expect(id).toEqual(expect.any(Number));

    try {
      await stackDown(settings, ['registry'], quiet);
      expect((await stackStatus(settings)).find((s) => s.name === 'registry')).toMatchObject({ healthy: false, pid: undefined });
      expect(await stackUp(settings, quiet)).toEqual(['registry']);
    } finally {
      await stackUp(settings, quiet); // a no-op when the registry is back; brings it back when the test failed midway
    }

    const byId = await fetch(`${settings.registryUrl}/schemas/ids/${id}`);
    expect(byId.status).toBe(200);
    expect(JSON.parse(((await byId.json()) as { schema: string }).schema)).toMatchObject({ name: 'Survivor' });
    const fresh = createRegistry(settings.registryUrl);
    expect(((await fresh.getSchema(id)) as { name?: string }).name).toBe(subject);
  });

  it('stackUp on a running stack starts nothing, and stackStatus shows every server healthy', async () => {
    await stackUp(settings, quiet);
    const lines: string[] = [];
    expect(await stackUp(settings, (line) => lines.push(line))).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^kafka: already up/), expect.stringMatching(/^registry: already up/)]);

    const status = await stackStatus(settings);
    expect(status.map((s) => s.name)).toEqual(['kafka', 'registry', 'postgres']);
    for (const server of status) {
      expect(server, server.name).toMatchObject({ healthy: true, pid: expect.any(Number) });
      expect(server.pid, server.name).toBeGreaterThan(0);
    }
  });

  it('refuses to start on a taken port, after clearing pid files that name some other process', async () => {
    const stateDir = temporaryStateDir();
    const ports = { kafkaPort: await heldPort(), kafkaControllerPort: await heldPort(), registryPort: await heldPort() };
    const taken: StackSettings = { ...readStackSettings(), stateDir, ...ports };
    const pidFiles = writeStalePidFiles(stateDir);

    const error = await stackUp(taken, quiet).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(StackError);
    expect(error).toMatchObject({ code: 'PORT_TAKEN' });
    const message = (error as StackError).message;
    const namesKafka = message.includes(`port ${ports.kafkaPort} `) && message.includes('STREAMFOLD_KAFKA_PORT');
    const namesRegistry = message.includes(`port ${ports.registryPort} `) && message.includes('STREAMFOLD_REGISTRY_PORT');
    expect(namesKafka || namesRegistry, message).toBe(true);
    for (const file of pidFiles) expect(fs.existsSync(file), file).toBe(false);
    expect(javaProcessesMentioning(stateDir)).toEqual([]);
  });

  it('stackStatus reports a server down when its pid file names some other process', async () => {
    const stateDir = temporaryStateDir();
    writeStalePidFiles(stateDir);

    // The real ports still answer; the status must not take that for our server.
    const status = await stackStatus({ ...settings, stateDir });

    for (const name of ['kafka', 'registry']) {
      expect(status.find((s) => s.name === name), name).toMatchObject({ healthy: false, pid: undefined });
    }
  });
});
