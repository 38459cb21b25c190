import type { Settings } from '../config/settings.ts';
import type { Logger } from '../logger.ts';
import { createKafka } from './kafkajs/kafka.ts';

/** For `streamfold stack`'s health checks: how many brokers answer through an address (0: none). */
export { brokersAnswering } from './kafkajs/kafka.ts';
import { kafkajsTransport } from './kafkajs/transport.ts';
import type { Transport } from './transport.ts';

/**
 * The Kafka client of a process role, behind the transport interface: kafkajs is the one there is.
 * Its own log lines go to `logger` (by default a pino logger named kafka).
 */
export function createTransport(settings: Settings, clientId: string, logger?: Logger): Transport {
  return kafkajsTransport(createKafka(settings, clientId, {}, logger), { consumeLoop: settings.consumeLoop, fetchMinBytes: settings.fetchMinBytes });
}
