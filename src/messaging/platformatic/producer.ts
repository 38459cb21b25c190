import { murmur2, Producer, ProduceAcks, type BaseOptions, type MessageToProduce } from '@platformatic/kafka';
import type { TopicMessages as KafkajsTopicMessages } from 'kafkajs';
import { inRequests } from '../kafkajs/completeSend.ts';
import type { MessageHeaders, OutgoingMessage, TopicMessages, TransportProducer } from '../transport.ts';
import { coalescedSends } from '../coalescedSends.ts';
import { notingUnreachableBrokers } from './clientOptions.ts';
import { isBrokerAway } from './errors.ts';

const bytes = (value: Buffer | string): Buffer => (typeof value === 'string' ? Buffer.from(value) : value);

/** Headers as the producer takes them: a header sent twice is two entries, each keyed by its own Buffer. */
function headersOf(headers: MessageHeaders | undefined): Map<Buffer, Buffer> {
  const map = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) map.set(Buffer.from(name), bytes(one));
  }
  return map;
}

function toProduce(topic: string, m: OutgoingMessage): MessageToProduce {
  return {
    topic,
    ...(m.key != null ? { key: bytes(m.key) } : {}),
    // A null value is a tombstone; the client's type asks for a Buffer and writes what it is given.
    value: (m.value == null ? null : bytes(m.value)) as Buffer,
    headers: headersOf(m.headers),
    ...(m.partition !== undefined ? { partition: m.partition } : {}),
  };
}

/**
 * Java's partitioner (and kafkajs's default): murmur2 of the key with the sign bit masked. The
 * client's own keeps the sign bit (`>>> 0`), which, unless the partition count is a power of two,
 * sends the keys whose hash has it set to another partition than Java or kafkajs would; the client
 * takes the result modulo the partition count itself.
 */
export const javaPartitioner = ({ key }: MessageToProduce): number => (key ? murmur2(key) & 0x7fffffff : 0);

/**
 * The streamfold producer on @platformatic/kafka: idempotent, acks from every in-sync replica,
 * routed by key as Java's client routes it.
 *
 * The client numbers an idempotent partition's records only when a send's answer arrives, so two
 * sends in flight to one partition carry the same sequence numbers and the broker refuses the second
 * (OUT_OF_ORDER_SEQUENCE_NUMBER). Sends therefore go one at a time, those made meanwhile together in
 * the next (coalescedSends), so per-key order holds and a busy producer sends larger requests. A
 * send resolves once every broker it went to answered; the client retries a broker's request itself.
 */
export function platformaticProducer(base: BaseOptions): TransportProducer {
  const producer = new Producer({ ...base, idempotent: true, acks: ProduceAcks.ALL, partitioner: javaPartitioner });
  notingUnreachableBrokers(producer);
  const send = coalescedSends<TopicMessages>(async (topicMessages) => {
    // Requests of at most 512 kB, one after another, as with kafkajs: the broker refuses a larger batch whole.
    for (const request of inRequests(topicMessages as KafkajsTopicMessages[])) {
      await producer.send({ messages: request.flatMap(({ topic, messages }) => messages.map((m) => toProduce(topic, m as OutgoingMessage))) });
    }
  }, isBrokerAway);

  return {
    async connect() {
      await producer.initIdempotentProducer({});
    },
    send,
    async disconnect() {
      await producer.close();
    },
  };
}
