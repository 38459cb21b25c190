import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandSender, type CommandSender } from '../../src/client/commandSender.ts';
import { aggregateGroupOf } from '../../src/worker/aggregateWorker.ts';
import { projectionGroupOf } from '../../src/projection/names.ts';
import { spawnStreamfold, waitForOutput, type Child } from '../support/childProcesses.ts';
import { isolatedPipeline, projectRoot, type IsolatedPipeline } from '../support/isolatedPipeline.ts';
import { rawKafka } from '../support/rawKafka.ts';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The Prometheus text format, sample lines only. */
function parseMetrics(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key as string] = value as string;
      return { name: match[1] as string, labels, value: Number(match[3]) };
    });
}

/** The sum of a metric's samples whose labels include `labels`. */
const valueOf = (samples: readonly Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

const scrape = async (url: string) => {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return parseMetrics(await response.text());
};

const metricsUrlOf = (child: Child) => {
  const url = /"url":"(http:\/\/127\.0\.0\.1:\d+\/metrics)"/.exec(child.output())?.[1];
  if (!url) throw new Error(`no metrics url in the child's output:\n${child.output()}`);
  return url;
};

describe('worker and projector processes serve /metrics (--metrics-port 0)', () => {
  let pipeline: IsolatedPipeline;
  let sender: CommandSender;
  let producer: Producer;
  let worker: Child;
  let projector: Child;

  beforeAll(async () => {
    pipeline = await isolatedPipeline('procmetrics', { configFile: path.join(projectRoot, 'test/fixtures/counter/streamfold.config.ts'), partitions: 2 });
    sender = await createCommandSender(pipeline.runtime);
    producer = rawKafka(pipeline.runtime).producer();
    await producer.connect();
    const env = { ...pipeline.childEnv, STREAMFOLD_LOG_LEVEL: 'info' };
    worker = spawnStreamfold(['worker', '--metrics-port', '0'], env);
    // The variable does what the flag does.
    projector = spawnStreamfold(['project'], { ...env, STREAMFOLD_METRICS_PORT: '0' });
    await Promise.all([waitForOutput(worker, 'worker running'), waitForOutput(projector, 'projectors running')]);
  });

  afterAll(async () => {
    for (const child of [worker, projector]) {
      if (!child) continue;
      child.process.kill('SIGTERM');
      await child.exited;
    }
    await producer?.disconnect();
    await sender?.close();
    await pipeline?.cleanup();
  });

  it('counts accepted commands, appended and projected events, dead letters, chunk times, and lag per partition', async () => {
    const [workerUrl, projectorUrl] = [metricsUrlOf(worker), metricsUrlOf(projector)];
    const commandTopic = `${pipeline.named('counter')}.commands`;
    const eventTopic = `${pipeline.named('counter')}.events`;
    const projectorName = `${pipeline.named('counters')}_v1`;
    const before = await scrape(workerUrl);
    expect(valueOf(before, 'streamfold_commands_handled_total')).toBe(0);

    const commands = 12;
    for (let i = 0; i < commands; i++) {
      const counter = randomUUID();
      await sender.send({ commandType: 'Increment', aggregateUuid: counter, data: { counter_uuid: counter, by: 1 } });
    }
    // Poison for each: a command keyed by no uuid, and an event that is not in the wire format.
    await producer.send({ topic: commandTopic, messages: [{ key: 'not-a-uuid', value: Buffer.from('poison') }] });
    await producer.send({ topic: eventTopic, messages: [{ key: randomUUID(), value: Buffer.from('poison') }] });

    let workerSamples: Sample[] = [];
    let projectorSamples: Sample[] = [];
    await expect
      .poll(
        async () => {
          [workerSamples, projectorSamples] = await Promise.all([scrape(workerUrl), scrape(projectorUrl)]);
          return [
            valueOf(workerSamples, 'streamfold_commands_handled_total', { outcome: 'accepted' }),
            valueOf(workerSamples, 'streamfold_dead_lettered_total'),
            valueOf(projectorSamples, 'streamfold_projected_events_total'),
            valueOf(projectorSamples, 'streamfold_dead_lettered_total'),
          ];
        },
        { timeout: 60_000, interval: 500 },
      )
      .toEqual([commands, 1, commands, 1]);

    // The worker's counters and histograms.
    expect(valueOf(workerSamples, 'streamfold_commands_handled_total', { command_type: 'Increment', outcome: 'accepted' })).toBe(commands);
    expect(valueOf(workerSamples, 'streamfold_events_appended_total', { event_type: 'Incremented' })).toBe(commands);
    expect(valueOf(workerSamples, 'streamfold_events_published_total', { topic: eventTopic })).toBe(commands);
    expect(valueOf(workerSamples, 'streamfold_dead_lettered_total', { topic: commandTopic })).toBe(1);
    const chunks = valueOf(workerSamples, 'streamfold_batch_duration_seconds_count', { role: 'worker' });
    expect(chunks).toBeGreaterThan(0);
    expect(valueOf(workerSamples, 'streamfold_transaction_duration_seconds_count', { role: 'worker' })).toBe(chunks);
    expect(valueOf(workerSamples, 'streamfold_produce_duration_seconds_count', { role: 'worker' })).toBe(chunks);
    expect(valueOf(workerSamples, 'streamfold_consumer_crashes_total')).toBe(0);
    expect(valueOf(workerSamples, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    // The projector's.
    expect(valueOf(projectorSamples, 'streamfold_projected_events_total', { projector: projectorName })).toBe(commands);
    expect(valueOf(projectorSamples, 'streamfold_dead_lettered_total', { topic: eventTopic })).toBe(1);
    expect(valueOf(projectorSamples, 'streamfold_batch_duration_seconds_count', { role: 'projector', name: projectorName })).toBeGreaterThan(0);
    // None of the worker's counters moved in the projector's process.
    expect(valueOf(projectorSamples, 'streamfold_commands_handled_total')).toBe(0);

    // Lag per partition of each process's own group, read from Kafka; 0 once everything is consumed.
    const lagOf = (samples: Sample[], group: string) =>
      samples.filter((s) => s.name === 'streamfold_consumer_lag' && s.labels.group === group).map((s) => `${s.labels.topic}[${s.labels.partition}]`).sort();
    const app = pipeline.config.app;
    const projectorGroup = projectionGroupOf(app, { name: pipeline.named('counters'), version: 1 });
    await expect
      .poll(async () => {
        const [w, p] = await Promise.all([scrape(workerUrl), scrape(projectorUrl)]);
        return [lagOf(w, aggregateGroupOf(app)), lagOf(p, projectorGroup), valueOf(w, 'streamfold_consumer_lag'), valueOf(p, 'streamfold_consumer_lag'), valueOf(w, 'streamfold_consumer_lag_up')];
      }, { timeout: 20_000, interval: 500 })
      .toEqual([[`${commandTopic}[0]`, `${commandTopic}[1]`], [`${eventTopic}[0]`, `${eventTopic}[1]`], 0, 0, 1]);

    // Only /metrics is served.
    expect((await fetch(workerUrl.replace('/metrics', '/'))).status).toBe(404);
  });
});
