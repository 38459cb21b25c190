import kafkajs from 'kafkajs';
import type { Kafka as KafkaClient, KafkaConfig, SASLOptions } from 'kafkajs';
import type { Settings } from '../config/settings.ts';
import { notingUnreachableBrokers } from './brokerAway.ts';
import { noDelaySocketFactory } from './socketFactory.ts';

// kafkajs is CommonJS; Node's ESM loader does not see all its named exports.
const { Kafka, logLevel } = kafkajs;

/** One Kafka client per process role; TLS and SASL come from the settings (KAFKA_SSL, KAFKA_SASL_*). */
export function createKafka(settings: Settings, clientId: string, extra: Partial<KafkaConfig> = {}): KafkaClient {
  return new Kafka({
    clientId,
    brokers: settings.kafkaBrokers,
    logLevel: logLevel.ERROR,
    retry: { initialRetryTime: 200, retries: 10, maxRetryTime: 5000 },
    ssl: settings.kafkaSsl,
    // Noting unreachable brokers lets the stall watchdog tell a broker outage from a stalled consumer.
    socketFactory: notingUnreachableBrokers(noDelaySocketFactory),
    ...(settings.kafkaSasl ? { sasl: settings.kafkaSasl as SASLOptions } : {}),
    ...extra,
  });
}
