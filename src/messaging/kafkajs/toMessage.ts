import type { KafkaMessage } from 'kafkajs';
import type { TransportMessage } from '../transport.ts';

/** A kafkajs message as the transport hands it over (both consume loops). */
export const toMessage = (m: KafkaMessage): TransportMessage => ({ key: m.key ?? null, value: m.value, headers: m.headers ?? {}, offset: m.offset, timestamp: m.timestamp });
