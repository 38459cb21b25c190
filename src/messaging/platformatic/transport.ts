import type { Settings } from '../../config/settings.ts';
import type { Logger } from '../../logger.ts';
import type { Transport } from '../transport.ts';
import { createKafka } from '../kafkajs/kafka.ts';
import { isBrokerAway as isKafkajsBrokerAway } from '../kafkajs/brokerAway.ts';
import { kafkajsTransport } from '../kafkajs/transport.ts';
import { clientOptions } from './clientOptions.ts';
import { platformaticConsumer } from './consumer.ts';
import { isBrokerAway } from './errors.ts';
import { platformaticProducer } from './producer.ts';

/**
 * The streamfold transport on @platformatic/kafka (STREAMFOLD_KAFKA_CLIENT=platformatic) for what
 * carries messages: consumers and producers. Its consumers always fetch while they handle, so
 * STREAMFOLD_CONSUME_LOOP does not apply to them. The admin stays kafkajs's: 1.22, the newest
 * @platformatic/kafka whose dependencies install on Node 20, has no offsets or config queries in
 * its admin, and setup and operators' queries are not on the path a message takes.
 */
export function platformaticTransport(settings: Settings, clientId: string, logger: Logger): Transport {
  const base = clientOptions(settings, clientId);
  // One kafkajs client for every admin this transport hands out, as the kafkajs transport has.
  let adminClient: Transport | undefined;
  return {
    consumer: (groupId, options = {}) => platformaticConsumer({ ...base, clientId: `${clientId}-${groupId}` }, groupId, { ...options, fetchMinBytes: settings.fetchMinBytes }, logger),
    producer: () => platformaticProducer(base),
    admin: () => (adminClient ??= kafkajsTransport(createKafka(settings, clientId, {}, logger))).admin(),
    // The admin's errors are kafkajs's.
    isBrokerAway: (error) => isBrokerAway(error) || isKafkajsBrokerAway(error),
  };
}
