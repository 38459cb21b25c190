import type { Settings } from '../config/settings.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createKafka } from './kafkajs/kafka.ts';

/** For `streamfold stack`'s health checks: how many brokers answer through an address (0: none). */
export { brokersAnswering } from './kafkajs/kafka.ts';
import { kafkajsTransport } from './kafkajs/transport.ts';
import { platformaticTransport } from './platformatic/transport.ts';
import type { Transport } from './transport.ts';

/**
 * The Kafka client of a process role, behind the transport interface: kafkajs, or @platformatic/kafka
 * when STREAMFOLD_KAFKA_CLIENT=platformatic. The client's own log lines go to `logger` (by default a
 * pino logger named kafka).
 */
export function createTransport(settings: Settings, clientId: string, logger?: Logger): Transport {
  if (settings.kafkaClient === 'platformatic') return platformaticTransport(settings, clientId, logger ?? createLogger('kafka'));
  return kafkajsTransport(createKafka(settings, clientId, {}, logger), { consumeLoop: settings.consumeLoop, fetchMinBytes: settings.fetchMinBytes });
}
