import kafkajs, { type Admin } from 'kafkajs';
import type { ChunkTiming } from '../../src/chunkTimings.ts';
import { percentile } from './stats.ts';

const { ConfigResourceTypes } = kafkajs;

/**
 * A command's way through the pipeline, hop by hop: the load generator's send call and ack, and
 * what the worker's and projector's chunk timing lines (STREAMFOLD_CHUNK_TIMINGS=1) say of it.
 * Every time is milliseconds since the epoch; the broker's append times are whole milliseconds.
 */
interface Passage {
  sentAt: number;
  ackedAt: number;
  worker?: ChunkTiming & { appended: number };
  projector?: ChunkTiming & { appended: number };
}

/** The segments of the timeline, in a command's order, each `[label, from → to]` of one passage. */
export const segments = [
  ['send call → command appended by the broker', (p: Required<Passage>) => p.worker.appended - p.sentAt],
  ['command appended → worker fetch answered', (p: Required<Passage>) => p.worker.fetchedAt - p.worker.appended],
  ['worker fetch answered → chunk handed to the worker (decoded)', (p: Required<Passage>) => p.worker.startedAt - p.worker.fetchedAt],
  ['chunk handed → Postgres transaction committed', (p: Required<Passage>) => p.worker.committedAt - p.worker.startedAt],
  ['transaction committed → events acknowledged by Kafka', (p: Required<Passage>) => (p.worker.producedAt ?? Number.NaN) - p.worker.committedAt],
  ['event appended by the broker → projector fetch answered', (p: Required<Passage>) => p.projector.fetchedAt - p.projector.appended],
  ['projector fetch answered → chunk handed to the projector (decoded)', (p: Required<Passage>) => p.projector.startedAt - p.projector.fetchedAt],
  ['projector chunk handed → projection committed', (p: Required<Passage>) => p.projector.committedAt - p.projector.startedAt],
  ['(beside) send call → send acknowledged', (p: Required<Passage>) => p.ackedAt - p.sentAt],
  ['(beside) transaction committed → event appended by the broker', (p: Required<Passage>) => p.projector.appended - p.worker.committedAt],
  ['(total) send call → chunk handed to the worker', (p: Required<Passage>) => p.worker.startedAt - p.sentAt],
  ['(total) send call → projection committed', (p: Required<Passage>) => p.projector.committedAt - p.sentAt],
] as const;

export const epochNow = () => performance.timeOrigin + performance.now();

/** Makes the broker stamp each record of `topics` with its append time, so a consumer reads when it was written. */
export async function useLogAppendTime(admin: Admin, topics: readonly string[]): Promise<void> {
  // AlterConfigs replaces a topic's whole set: the settings it was created with go along.
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
  await admin.alterConfigs({
    validateOnly: false,
    resources: described.resources.map(({ resourceName, configEntries }) => ({
      type: ConfigResourceTypes.TOPIC,
      name: resourceName,
      configEntries: [
        ...configEntries.filter((e) => !e.isDefault && !e.readOnly && e.configName !== 'message.timestamp.type').map((e) => ({ name: e.configName, value: e.configValue })),
        { name: 'message.timestamp.type', value: 'LogAppendTime' },
      ],
    })),
  });
}

/** Per fetch of each part, what tells whether its loop waits for itself: how long its batches took, and the gap to the next fetch. */
export const fetchRows = (['worker', 'projector'] as const).flatMap((part) => [
  `(per fetch, ${part}) batches in a fetch`,
  `(per fetch, ${part}) fetch answered → its last chunk done`,
  `(per fetch, ${part}) fetch answered → next fetch answered`,
]);

export class Timeline {
  private readonly passages = new Map<string, Passage>();
  private readonly chunks = { worker: [] as ChunkTiming[], projector: [] as ChunkTiming[] };

  /** A send of `commandUuids` made at `sentAt` and acknowledged now. */
  sent(commandUuids: readonly string[], sentAt: number): void {
    const ackedAt = epochNow();
    for (const uuid of commandUuids) this.passages.set(uuid, { sentAt, ackedAt });
  }

  /** Reads the `chunk timing` lines of a worker's or projector's log. */
  read(part: 'worker' | 'projector', log: string): void {
    for (const line of log.split('\n')) {
      if (!line.includes('"chunk timing"')) continue;
      const timing = JSON.parse(line) as ChunkTiming;
      if (timing.commands.some((uuid) => this.passages.has(uuid))) this.chunks[part].push(timing);
      timing.commands.forEach((uuid, i) => {
        const passage = this.passages.get(uuid);
        if (passage) passage[part] = { ...timing, appended: timing.appendedAt[i] as number };
      });
    }
  }

  /** p50 and p99 of each segment over the commands seen end to end, and the rate the generator held. */
  measures(): Record<string, number> {
    const all = [...this.passages.values()];
    const whole = all.filter((p): p is Required<Passage> => p.worker !== undefined && p.projector !== undefined);
    const sentAts = all.map((p) => p.sentAt);
    const measures: Record<string, number> = {
      heldRate: (all.length - 1) / ((Math.max(...sentAts) - Math.min(...sentAts)) / 1000),
      timedShare: (whole.length / all.length) * 100,
    };
    for (const [label, of] of segments) {
      const values = whole.map(of).filter((v) => Number.isFinite(v));
      measures[`${label} p50`] = percentile(values, 50);
      measures[`${label} p99`] = percentile(values, 99);
    }
    for (const part of ['worker', 'projector'] as const) {
      const fetches = new Map<number, ChunkTiming[]>();
      for (const chunk of this.chunks[part]) fetches.set(chunk.fetchedAt, [...(fetches.get(chunk.fetchedAt) ?? []), chunk]);
      const answered = [...fetches.keys()].sort((a, b) => a - b);
      const rows: [string, number[]][] = [
        [`(per fetch, ${part}) batches in a fetch`, [...fetches.values()].map((chunks) => new Set(chunks.map((c) => c.partition)).size)],
        [`(per fetch, ${part}) fetch answered → its last chunk done`, [...fetches].map(([at, chunks]) => Math.max(...chunks.map((c) => c.producedAt ?? c.committedAt)) - at)],
        [`(per fetch, ${part}) fetch answered → next fetch answered`, answered.slice(1).map((at, i) => at - (answered[i] as number))],
      ];
      for (const [label, values] of rows) {
        measures[`${label} p50`] = percentile(values, 50);
        measures[`${label} p99`] = percentile(values, 99);
      }
    }
    return measures;
  }
}
