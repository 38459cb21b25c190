import type { Base, BaseOptions } from '@platformatic/kafka';
import type { Settings } from '../../config/settings.ts';

/**
 * What every @platformatic/kafka client of a process shares, from the settings: the brokers, TLS
 * and SASL (KAFKA_SSL, KAFKA_SASL_*), and timeouts and retries near the kafkajs client's
 * (src/messaging/kafkajs/kafka.ts: ten tries; this client waits a fixed time between them).
 */
export function clientOptions(settings: Settings, clientId: string): BaseOptions {
  return {
    clientId,
    bootstrapBrokers: settings.kafkaBrokers,
    connectTimeout: 5_000,
    timeout: 30_000,
    retries: 10,
    retryDelay: 500,
    ...(settings.kafkaSsl ? { tls: {} } : {}),
    ...(settings.kafkaSasl ? { sasl: { mechanism: saslMechanism(settings.kafkaSasl.mechanism), username: settings.kafkaSasl.username, password: settings.kafkaSasl.password } } : {}),
  };
}

const saslMechanisms = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;
const saslMechanism = (mechanism: NonNullable<Settings['kafkaSasl']>['mechanism']) => saslMechanisms[mechanism];

/** Broker addresses whose last connection attempt, by any @platformatic/kafka client of this process, failed. */
const unreachableBrokers = new Set<string>();

/** True while some broker address of this process's clients refuses every connection attempt. */
export const brokerUnreachable = (): boolean => unreachableBrokers.size > 0;

interface BrokerEvent {
  readonly broker: { readonly host: string; readonly port: number };
}

/** Notes which brokers `client` cannot reach: the stall watchdog tells a broker outage from a stalled consumer by it. */
export function notingUnreachableBrokers(client: Base<BaseOptions>): void {
  const address = ({ broker }: BrokerEvent) => `${broker.host}:${broker.port}`;
  client.on('client:broker:failed', (event: BrokerEvent) => unreachableBrokers.add(address(event)));
  client.on('client:broker:connect', (event: BrokerEvent) => unreachableBrokers.delete(address(event)));
}
