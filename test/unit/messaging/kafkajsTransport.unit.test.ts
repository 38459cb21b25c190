import kafkajs, { type Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/logger.ts';
import { throughLogger } from '../../../src/messaging/kafkajs/kafka.ts';
import { levelOfKafkajsLine } from '../../../src/messaging/kafkajs/logLevels.ts';
import { kafkajsTransport } from '../../../src/messaging/kafkajs/transport.ts';

const { KafkaJSGroupCoordinatorNotFound, KafkaJSNonRetriableError, logLevel } = kafkajs;
/** kafkajs's error classes as its JavaScript builds them: its types declare narrower constructors. */
const make = (kind: unknown, ...args: unknown[]): Error => new (kind as new (...a: unknown[]) => Error)(...args);

/** A kafkajs client whose consumer is just its instrumentation events. */
function fakeKafka() {
  const listeners = new Map<string, ((event: { payload: unknown }) => void)[]>();
  const events = { FETCH: 'fetch', REBALANCING: 'rebalancing', GROUP_JOIN: 'group_join', CRASH: 'crash' };
  const consumer = {
    events,
    on(name: string, listener: (event: { payload: unknown }) => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return () => undefined;
    },
  };
  const emit = (name: string, payload: unknown = {}) => (listeners.get(name) ?? []).forEach((l) => l({ payload }));
  return { kafka: { consumer: () => consumer } as unknown as Kafka, emit };
}

describe('the kafkajs transport', () => {
  it('reports a crash of a broker that is away as one that is restarted, though kafkajs says it is not', () => {
    const { kafka, emit } = fakeKafka();
    const consumer = kafkajsTransport(kafka).consumer('g');
    const crashes: { restart: boolean; error: string }[] = [];
    consumer.on('crash', ({ error, restart }) => void crashes.push({ restart, error: error.message }));
    const joins: number[] = [];
    consumer.on('group-join', () => void joins.push(1));

    const cause = make(KafkaJSGroupCoordinatorNotFound, 'Failed to find group coordinator');
    emit('crash', { error: make(KafkaJSNonRetriableError, cause, { cause }), restart: false });
    emit('crash', { error: new Error('UNKNOWN_MEMBER_ID'), restart: false });
    emit('crash', { error: new Error('The coordinator is loading'), restart: true });
    emit('group_join');

    expect(crashes).toEqual([
      { restart: true, error: 'Failed to find group coordinator' },
      { restart: false, error: 'UNKNOWN_MEMBER_ID' },
      { restart: true, error: 'The coordinator is loading' },
    ]);
    expect(joins).toEqual([1]);
  });
});

describe("kafkajs's log lines", () => {
  it('get the level their meaning has: group life is info or debug, a broker away a warning, the rest as kafkajs said', () => {
    const cases: [string, string, string | undefined, string][] = [
      ['ERROR', '[Connection] Response Heartbeat(key: 12, version: 3)', 'The group is rebalancing, so a rejoin is needed', 'debug'],
      ['ERROR', '[Connection] Response InitProducerId(key: 22, version: 1)', "The coordinator is loading and hence can't process requests for this group", 'debug'],
      ['WARN', '[Runner] The group is rebalancing, re-joining', undefined, 'info'],
      ['ERROR', '[Runner] The coordinator is not aware of this member, re-joining the group', undefined, 'info'],
      ['ERROR', '[Consumer] Restarting the consumer in 1234ms', undefined, 'info'],
      ['ERROR', '[Consumer] Crash: KafkaJSNumberOfRetriesExceeded: The coordinator is loading', undefined, 'warn'],
      ['ERROR', '[Consumer] Crash: KafkaJSNonRetriableError: Failed to find group coordinator', undefined, 'warn'],
      ['ERROR', '[Consumer] Crash: KafkaJSNonRetriableError: Offset out of range', undefined, 'error'],
      ['ERROR', '[Connection] Connection error: connect ECONNREFUSED 127.0.0.1:9092', undefined, 'warn'],
      ['ERROR', '[BrokerPool] Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:9092', undefined, 'warn'],
      ['ERROR', '[Producer] Failed to send messages: This server is not the leader for that topic-partition', undefined, 'warn'],
      ['ERROR', '[Runner] Error when calling eachBatch', undefined, 'error'],
      ['INFO', '[Consumer] Starting', undefined, 'debug'],
      ['WARN', '[Producer] Limiting retries for the idempotent producer may invalidate EoS guarantees', undefined, 'debug'],
      ['WARN', 'KafkaJS v2.0.0 switched default partitioner. To retain the same partitioning behavior…', undefined, 'debug'],
      ['WARN', '[Consumer] consumer#run was called, but the consumer is already running', undefined, 'warn'],
    ];
    expect(cases.map(([label, line, error]) => levelOfKafkajsLine(label, line, error))).toEqual(cases.map((c) => c[3]));
  });

  it('reach the logger as [Namespace] message with their fields', () => {
    const lines: [string, string, Record<string, unknown> | undefined][] = [];
    const at = (level: string) => (line: string, fields?: Record<string, unknown>) => void lines.push([level, line, fields]);
    const logger: Logger = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), trace: at('trace'), traceEnabled: false };
    const log = throughLogger(logger)(logLevel.INFO);
    log({ namespace: 'Runner', level: logLevel.WARN, label: 'WARN', log: { timestamp: 'now', logger: 'kafkajs', message: 'The group is rebalancing, re-joining', groupId: 'g' } });
    expect(lines).toEqual([['info', '[Runner] The group is rebalancing, re-joining', { groupId: 'g' }]]);
  });
});
