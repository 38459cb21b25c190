import kafkajs from 'kafkajs';
import type { ICustomPartitioner, Kafka, Message, Producer, RecordMetadata, TopicMessages } from 'kafkajs';

// kafkajs is CommonJS; Node's ESM loader does not see all its named exports.
const { Partitioners } = kafkajs;

/** The partition kafkajs last routed each message to, written by the partitioner below. */
const routedTo = new WeakMap<Message, number>();

/** kafkajs's default partitioner (murmur2 of the key, as Java's), remembering where each message went. */
const routeRecordingPartitioner: ICustomPartitioner = () => {
  const partition = Partitioners.DefaultPartitioner();
  return (args) => {
    const chosen = partition(args);
    routedTo.set(args.message, chosen);
    return chosen;
  };
};

/**
 * The producer every streamfold process writes commands and events with: idempotent, one request
 * in flight per broker (per-partition order survives retries), and routed so that
 * `sendCompletely` can tell which partitions a send reached.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: routeRecordingPartitioner });
}

const placeOf = (topic: string, partition: number) => `${topic}[${partition}]`;

/** Messages whose partition is missing from the brokers' answers, pinned to the partition they were routed to. */
export function unansweredMessages(sent: readonly TopicMessages[], answers: readonly RecordMetadata[]): TopicMessages[] {
  const answered = new Map<string, Set<number>>();
  for (const a of answers) {
    const ofTopic = answered.get(a.topicName);
    if (ofTopic) ofTopic.add(a.partition);
    else answered.set(a.topicName, new Set([a.partition]));
  }
  const partitionOf = (topic: string, message: Message): number => {
    const partition = routedTo.get(message) ?? message.partition;
    if (partition === undefined) throw new Error(`A message to ${topic} has no partition on record: make the producer with createProducer (src/messaging/kafkajs/completeSend.ts).`);
    return partition;
  };
  // Nearly every send is answered whole: only the messages left unanswered are copied.
  const unanswered: TopicMessages[] = [];
  for (const { topic, messages } of sent) {
    const ofTopic = answered.get(topic);
    const left: Message[] = [];
    for (const m of messages) {
      const partition = partitionOf(topic, m);
      if (!ofTopic?.has(partition)) left.push({ ...m, partition });
    }
    if (left.length > 0) unanswered.push({ topic, messages: left });
  }
  return unanswered;
}

/** The partitions a send's messages are pinned to, as `topic[partition]`: for logs and errors. */
export const placesOf = (topicMessages: readonly TopicMessages[]) =>
  topicMessages.flatMap(({ topic, messages }) => [...new Set(messages.map((m) => placeOf(topic, m.partition ?? -1)))]);

/** Sends after the first that still left partitions unanswered before it gives up. */
const RESENDS = 5;

/**
 * `producer.sendBatch` with acks=all, made complete. kafkajs 2.2.4 can resolve a send that never
 * produced some of its messages: across retries it remembers which *brokers* answered, so when a
 * partition's leader dies and the partition moves to a broker that already answered for other
 * partitions, the moved partition is never sent again (tulios/kafkajs#1798; seen in fault 11 as
 * acknowledged commands missing from their topic). Each broker answer names the partitions it
 * wrote; messages of any partition left unanswered are sent again, to the partition they were
 * routed to, before this resolves. The caller awaits it before sending more for those keys, so
 * per-key order holds.
 */
export async function sendCompletely(
  producer: Producer,
  topicMessages: readonly TopicMessages[],
  onResend?: (unanswered: readonly TopicMessages[]) => void,
): Promise<RecordMetadata[]> {
  const answers: RecordMetadata[] = [];
  let pending = [...topicMessages];
  for (let resends = 0; ; resends += 1) {
    const answered = await producer.sendBatch({ acks: -1, topicMessages: pending });
    answers.push(...answered);
    pending = unansweredMessages(pending, answered);
    if (pending.length === 0) return answers;
    if (resends === RESENDS) {
      throw new Error(`Kafka never answered for ${placesOf(pending).join(', ')}, though the send resolved, after ${RESENDS} resends: the send failed; retry it (what was answered may then be written twice, which the dedup tables absorb).`);
    }
    onResend?.(pending);
  }
}

/**
 * How many bytes of messages go in one produce request. The broker refuses a partition's record
 * batch over `message.max.bytes` (1 MiB by default) whole; a chunk of large events (the fuzz test's
 * 500 kB strings) must go in several requests, one after another, so per-partition order holds.
 */
export const REQUEST_BYTES = 512 * 1024;

const bytesOf = (v: unknown): number => (v == null ? 0 : Buffer.isBuffer(v) ? v.length : Buffer.byteLength(String(v)));

/** About what a message takes in a request; a loop, not copies: every message of every send is sized. */
function sizeOf(m: Message): number {
  let size = bytesOf(m.key) + bytesOf(m.value) + 64;
  const headers = m.headers ?? {};
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const value = headers[name];
    size += name.length;
    if (Array.isArray(value)) for (const v of value) size += bytesOf(v);
    else size += bytesOf(value);
  }
  return size;
}

/**
 * Splits a send into requests of at most `maxBytes` of messages each, in order (a single larger
 * message goes alone, for the broker to judge).
 */
export function inRequests(topicMessages: readonly TopicMessages[], maxBytes = REQUEST_BYTES): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const size = sizeOf(message);
      if (bytes > 0 && bytes + size > maxBytes) {
        requests.push(current);
        current = [];
        bytes = 0;
      }
      const last = current.at(-1);
      if (last?.topic === topic) last.messages.push(message);
      else current.push({ topic, messages: [message] });
      bytes += size;
    }
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
