import { randomUUID } from 'node:crypto';
import { commandTopicOf, eventTopicOf } from '../../core/index.ts';
import { deadLetterTopicOf } from '../../messaging/deadLetters.ts';
import type { MessageHeaders, TransportAdmin, TransportMessage } from '../../messaging/transport.ts';
import type { Runtime } from '../../runtime.ts';
import { withDeadline } from '../deadline.ts';
import { HttpError } from '../http.ts';

export interface DeadLetter {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly errorCode: string;
  readonly error: string;
  readonly sourceTopic: string;
  readonly sourcePartition: string;
  readonly sourceOffset: string;
  readonly failedAt: string;
  /** The original message's own headers (the dead-letter ones are shown above). */
  readonly headers: Record<string, string>;
  readonly size: number;
  /** The bytes as text where printable, a dot where not: enough to recognise garbage. */
  readonly preview: string;
  readonly valueBase64: string;
}

/** Only the config's own dead-letter topics may be read or retried from; the name never reaches Kafka otherwise. */
export function deadLetterTopicNamed(runtime: Runtime, topic: string): string {
  const known = runtime.config.domains.flatMap((d) => [commandTopicOf(d), eventTopicOf(d)]).map(deadLetterTopicOf);
  if (!known.includes(topic)) throw new HttpError(404, `${JSON.stringify(topic.slice(0, 100))} is not a dead-letter topic of this config; they are ${known.join(', ')}`);
  return topic;
}

const headerText = (value: MessageHeaders[string]) => {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? '' : first.toString();
};

function toDeadLetter(partition: number, message: TransportMessage): DeadLetter {
  const all = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, headerText(v)]));
  const value = message.value ?? Buffer.alloc(0);
  return {
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? null,
    errorCode: all['dlq-error-code'] ?? '',
    error: all['dlq-error'] ?? '',
    sourceTopic: all['dlq-source-topic'] ?? '',
    sourcePartition: all['dlq-source-partition'] ?? '',
    sourceOffset: all['dlq-source-offset'] ?? '',
    failedAt: all['dlq-failed-at'] ?? '',
    headers: Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith('dlq-'))),
    size: value.length,
    preview: value.subarray(0, 200).toString('latin1').replace(/[^\x20-\x7e]/g, '.'),
    valueBase64: value.toString('base64'),
  };
}

/**
 * Reads messages of a dead-letter topic: from `from(partition)` to the end of each partition. The
 * transport reads through a consumer group, so a throwaway group is made for the look and deleted after.
 */
async function readRange(runtime: Runtime, admin: TransportAdmin, topic: string, from: (p: { partition: number; low: bigint; high: bigint }) => bigint, until?: (p: number) => bigint) {
  const offsets = (await admin.topicOffsets(topic))
    .map((o) => {
      const end = until?.(o.partition) ?? o.high;
      return { ...o, start: from(o), end: end < o.high ? end : o.high };
    })
    .filter((o) => o.start < o.end && o.start >= o.low);
  if (offsets.length === 0) return [];
  const groupId = `${runtime.config.app}.gateway.dead-letter-look.${randomUUID()}`;
  const consumer = runtime.transport.consumer(groupId, { fetchMaxWaitMs: 100 });
  const found: { partition: number; message: TransportMessage }[] = [];
  const remaining = new Set(offsets.map((o) => o.partition));
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  try {
    await consumer.connect([topic]);
    await consumer.run({
      eachBatch: async (batch) => {
        if (batch.isStale()) return;
        const range = offsets.find((o) => o.partition === batch.partition);
        for (const message of batch.messages) {
          const at = BigInt(message.offset);
          if (!range || at < range.start || at >= range.end) continue;
          found.push({ partition: batch.partition, message });
          if (at >= range.end - 1n) remaining.delete(batch.partition);
        }
        if (remaining.size === 0) finished();
        // The throwaway group's commit moves the look on; the group is deleted after.
        const last = batch.messages.at(-1);
        if (last) await batch.commit((BigInt(last.offset) + 1n).toString());
      },
    });
    for (const o of offsets) consumer.seek(topic, o.partition, o.start.toString());
    await withDeadline(done, 15_000, `reading ${topic}`);
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return found;
}

/** The newest `limit` messages of each partition, newest first. */
export async function readDeadLetters(runtime: Runtime, admin: TransportAdmin, topic: string, limit: number): Promise<DeadLetter[]> {
  const found = await readRange(runtime, admin, deadLetterTopicNamed(runtime, topic), (p) => (p.high - BigInt(limit) > p.low ? p.high - BigInt(limit) : p.low));
  return found.map((f) => toDeadLetter(f.partition, f.message)).sort((a, b) => (BigInt(b.offset) > BigInt(a.offset) ? 1 : -1));
}

async function readOneDeadLetter(runtime: Runtime, admin: TransportAdmin, topic: string, partition: number, offset: bigint) {
  deadLetterTopicNamed(runtime, topic);
  const [hit] = await readRange(runtime, admin, topic, (p) => (p.partition === partition ? offset : p.high), () => offset + 1n);
  if (!hit) throw new HttpError(404, `${topic} has no message at partition ${partition}, offset ${offset} (deleted by retention, or never there)`);
  return { letter: toDeadLetter(hit.partition, hit.message), hit };
}

/** The one message at a partition and offset of a config's dead-letter topic (a 404 HttpError when there is none). */
export async function readDeadLetterAt(runtime: Runtime, admin: TransportAdmin, topic: string, partition: number, offset: bigint): Promise<DeadLetter> {
  return (await readOneDeadLetter(runtime, admin, topic, partition, offset)).letter;
}

/**
 * Sends a dead-lettered message back to the topic it came from, with its original key, value
 * and headers: after a fix (a schema registered, a bug deployed) it is read again. A command's
 * uuid travels in its headers, so a retried command that was decided after all is deduplicated.
 */
export async function retryDeadLetter(runtime: Runtime, admin: TransportAdmin, topic: string, partition: number, offset: bigint) {
  const { letter, hit } = await readOneDeadLetter(runtime, admin, topic, partition, offset);
  const source = topic.replace(/\.dlq$/, '');
  // The source topic comes from the dead-letter topic's own name, not from a header anyone could have written.
  const headers = Object.fromEntries(Object.entries(hit.message.headers ?? {}).filter(([k]) => !k.startsWith('dlq-')));
  const producer = runtime.transport.producer();
  await producer.connect();
  try {
    await producer.send([{ topic: source, messages: [{ key: hit.message.key, value: hit.message.value, headers }] }]);
  } finally {
    await producer.disconnect();
  }
  return { retried: letter, sentTo: source };
}
