import type { Message } from '@platformatic/kafka';
import type { MessageHeaders, TransportMessage } from '../transport.ts';

/**
 * A @platformatic/kafka message as the transport hands it over. The stream keys its headers map by
 * each header's own Buffer, so a header sent twice is two entries: it becomes an array here, as
 * kafkajs hands it over, and the message door refuses it.
 */
export function toMessage(m: Message): TransportMessage {
  const headers: Record<string, Buffer | Buffer[]> = {};
  for (const [rawName, value] of m.headers) {
    const name = rawName.toString();
    const before = headers[name];
    headers[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
  }
  return { key: m.key ?? null, value: m.value ?? null, headers: headers as MessageHeaders, offset: m.offset.toString(), timestamp: m.timestamp.toString() };
}
