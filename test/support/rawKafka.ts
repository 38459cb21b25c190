import type { Kafka } from 'kafkajs';
import type { Settings } from '../../src/config/settings.ts';
import { createKafka } from '../../src/messaging/kafkajs/kafka.ts';

/**
 * A raw kafkajs client on a runtime's brokers, beside its transport: for tests that write what
 * streamfold's own producer would refuse to, read a topic whole, or ask the broker what they check.
 */
export const rawKafka = (runtime: { readonly settings: Settings }): Kafka => createKafka(runtime.settings, 'streamfold-test-raw');
