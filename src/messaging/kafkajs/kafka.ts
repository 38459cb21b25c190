import kafkajs from 'kafkajs';
import type { Kafka as KafkaClient, KafkaConfig, logCreator as LogCreator, SASLOptions } from 'kafkajs';
import type { Settings } from '../../config/settings.ts';
import { createLogger, type Logger } from '../../logger.ts';
import { notingUnreachableBrokers } from './brokerAway.ts';
import { levelOfKafkajsLine } from './logLevels.ts';
import { noDelaySocketFactory } from './socketFactory.ts';

// kafkajs is CommonJS; Node's ESM loader does not see all its named exports.
const { Kafka, logLevel } = kafkajs;

/** kafkajs's lines in the process's one log stream, as `[Namespace] message` with kafkajs's fields. */
export const throughLogger =
  (logger: Logger): LogCreator =>
  () =>
  ({ namespace, label, log }) => {
    // pino stamps its own time; `logger: 'kafkajs'` is what the namespace in the line says.
    const { message, ...fields }: Record<string, unknown> = log;
    delete fields.timestamp;
    delete fields.logger;
    const line = namespace ? `[${namespace}] ${String(message)}` : String(message);
    logger[levelOfKafkajsLine(label, line, fields.error)](line, fields);
  };

let kafkaLogger: Logger | undefined;
/** One pino logger for every kafkajs client of the process, made when the first is. */
const sharedKafkaLogger = () => (kafkaLogger ??= createLogger('kafka'));

/**
 * One Kafka client per process role; TLS and SASL come from the settings (KAFKA_SSL, KAFKA_SASL_*).
 * Its lines go to `logger` (by default a pino logger named kafka, at STREAMFOLD_LOG_LEVEL).
 */
export function createKafka(settings: Settings, clientId: string, extra: Partial<KafkaConfig> = {}, logger: Logger = sharedKafkaLogger()): KafkaClient {
  return new Kafka({
    clientId,
    brokers: settings.kafkaBrokers,
    // kafkajs's INFO lines come through as debug (levelOfKafkajsLine); its DEBUG is every request.
    logLevel: logLevel.INFO,
    logCreator: throughLogger(logger),
    retry: { initialRetryTime: 200, retries: 10, maxRetryTime: 5000 },
    ssl: settings.kafkaSsl,
    // Noting unreachable brokers lets the stall watchdog tell a broker outage from a stalled consumer.
    socketFactory: notingUnreachableBrokers(noDelaySocketFactory),
    ...(settings.kafkaSasl ? { sasl: settings.kafkaSasl as SASLOptions } : {}),
    ...extra,
  });
}

/** How many brokers the cluster behind `address` reports, asked once with short timeouts; 0 when it does not answer. */
export async function brokersAnswering(address: string): Promise<number> {
  const admin = new Kafka({ clientId: 'streamfold-stack', brokers: [address], logLevel: logLevel.NOTHING, connectionTimeout: 1000, requestTimeout: 2000, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    return (await admin.describeCluster()).brokers.length;
  } catch {
    return 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
