import kafkajs from 'kafkajs';
import type { Admin, Consumer, EachBatchPayload, Kafka, TopicMessages as KafkajsTopicMessages } from 'kafkajs';
import type {
  ConsumeLoop,
  ConsumerOptions,
  PartitionBatch,
  Transport,
  TransportAdmin,
  TransportConsumer,
  TransportProducer,
} from '../transport.ts';
import { batchesInHand } from './batchesInHand.ts';
import { brokerUnreachable, isBrokerAway, restartWhenBrokerAway } from './brokerAway.ts';
import { createProducer, inRequests, placesOf, sendCompletely } from './completeSend.ts';
import { commitOffsets } from './offsetCommit.ts';
import { pipelinedRun, type PipelinedRun } from './pipelinedRun.ts';
import { toMessage } from './toMessage.ts';

// kafkajs is CommonJS; Node's ESM loader does not see all its named exports.
const { ConfigResourceTypes } = kafkajs;

/** What every consumer of a process shares, from its settings (STREAMFOLD_CONSUME_LOOP, STREAMFOLD_FETCH_MIN_BYTES). */
export interface ConsumerDefaults {
  readonly consumeLoop?: ConsumeLoop;
  /** How many bytes the broker waits for, up to the consumer's fetch max wait, before it answers a fetch. */
  readonly fetchMinBytes?: number;
}

/** The streamfold transport on a kafkajs client (src/messaging/kafkajs/kafka.ts makes one). */
export function kafkajsTransport(kafka: Kafka, defaults: ConsumerDefaults = {}): Transport {
  return {
    consumer: (groupId, options = {}) => kafkajsConsumer(kafka, groupId, options, defaults),
    producer: () => kafkajsProducer(kafka),
    admin: () => kafkajsAdmin(kafka.admin()),
    isBrokerAway,
  };
}

function batchOf(consumer: Consumer, payload: EachBatchPayload, fetchedAt: number, stopping: () => boolean): PartitionBatch {
  const { topic, partition } = payload.batch;
  return {
    topic,
    partition,
    messages: payload.batch.messages.map(toMessage),
    fetchedAt,
    isRunning: () => !stopping() && payload.isRunning(),
    isStale: payload.isStale,
    heartbeat: payload.heartbeat,
    async commit(offset) {
      await commitOffsets(consumer, [{ topic, partition, offset }]);
      // The next fetch of this partition starts at the committed offset (kafkajs resolves the offset before it).
      payload.resolveOffset((BigInt(offset) - 1n).toString());
    },
  };
}

/** Every partition of `topics`, as kafkajs's pause and resume take them. */
const all = (topics: readonly string[]) => topics.map((topic) => ({ topic }));

/** Pauses `topics`; a consumer that never ran, or crashed for good, fetches nothing to pause. */
function pauseIfRunning(consumer: Consumer, topics: readonly string[]): void {
  try {
    consumer.pause(all(topics));
  } catch {
    // kafkajs refuses a pause before `run` ("Consumer group was not initialized").
  }
}

function kafkajsConsumer(kafka: Kafka, groupId: string, options: ConsumerOptions, { consumeLoop = 'sequential', fetchMinBytes }: ConsumerDefaults): TransportConsumer {
  const consumer = kafka.consumer({
    groupId,
    ...(options.sessionTimeoutMs !== undefined ? { sessionTimeout: options.sessionTimeoutMs } : {}),
    ...(options.heartbeatIntervalMs !== undefined ? { heartbeatInterval: options.heartbeatIntervalMs } : {}),
    ...(options.fetchMaxWaitMs !== undefined ? { maxWaitTimeInMs: options.fetchMaxWaitMs } : {}),
    ...(fetchMinBytes !== undefined ? { minBytes: fetchMinBytes } : {}),
  });
  const { events } = consumer;
  let restarts: { stop(): void } | undefined;
  let lanes: PipelinedRun | undefined;
  const inHand = batchesInHand();
  let subscribed: readonly string[] = [];
  // Each batch is handed over while its fetch is the last answered (the runner fetches one at a time).
  let lastFetchAt = 0;
  consumer.on(events.FETCH, () => void (lastFetchAt = Date.now()));
  const startRunning = async (eachBatch: (payload: EachBatchPayload) => Promise<void>, partitionsConsumedConcurrently: number) => {
    const start = () => consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently, eachBatch });
    restarts = restartWhenBrokerAway(consumer, start);
    await start();
  };
  return {
    async connect(topics) {
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      subscribed = topics;
    },
    async run({ partitionsConcurrently = 1, eachBatch }) {
      if (consumeLoop === 'pipelined') {
        const pipelined = pipelinedRun({ consumer, logger: kafka.logger(), partitionsConcurrently, eachBatch, fetchedAt: () => lastFetchAt, commitOffsets: (offsets) => commitOffsets(consumer, offsets) });
        lanes = pipelined.run;
        // What is queued was fetched for the old assignment; the new one reads from the committed offsets.
        for (const event of [events.REBALANCING, events.GROUP_JOIN, events.CRASH]) consumer.on(event, () => lanes?.forgetQueued());
        return startRunning(pipelined.eachBatch, 1);
      }
      return startRunning((payload) => inHand.handle(() => eachBatch(batchOf(consumer, payload, lastFetchAt, inHand.stopping))), partitionsConcurrently);
    },
    pause: (topics) => (lanes ? lanes.pause(topics) : consumer.pause(all(topics))),
    resume: (topics) => (lanes ? lanes.resume(topics) : consumer.resume(all(topics))),
    seek: (topic, partition, offset) => (lanes ? lanes.seek(topic, partition, offset) : consumer.seek({ topic, partition, offset })),
    on(event, listener) {
      const call = listener as (payload: unknown) => void;
      switch (event) {
        case 'fetch':
          return consumer.on(events.FETCH, () => call({}));
        case 'rebalancing':
          return consumer.on(events.REBALANCING, () => call({}));
        case 'group-join':
          return consumer.on(events.GROUP_JOIN, () => call({}));
        case 'crash':
          // A crash of a broker that is away is restarted by restartWhenBrokerAway, though kafkajs says it will not be.
          return consumer.on(events.CRASH, ({ payload }) => call({ error: payload.error, restart: payload.restart || isBrokerAway(payload.error) }));
        default:
          throw new Error(`no consumer event ${String(event)}`);
      }
    },
    brokerUnreachable,
    async disconnect() {
      restarts?.stop();
      if (lanes) {
        await lanes.drain();
      } else {
        // Nothing fetched now would be handled; the batches in hand commit before the runner stops.
        pauseIfRunning(consumer, subscribed);
        await inHand.stop();
      }
      await consumer.disconnect();
    },
  };
}

function kafkajsProducer(kafka: Kafka): TransportProducer {
  const producer = createProducer(kafka);
  return {
    connect: () => producer.connect(),
    async send(topicMessages, options = {}) {
      // kafkajs's types ask for mutable arrays; it reads the messages and never changes them.
      for (const request of inRequests(topicMessages as KafkajsTopicMessages[])) {
        await sendCompletely(producer, request, options.onResend && ((unanswered) => options.onResend?.(placesOf(unanswered))));
      }
    },
    disconnect: () => producer.disconnect(),
  };
}

/**
 * Answers that mean "not yet": the topic is still reaching the broker asked, electing leaders, or
 * (NOT_LEADER_FOR_PARTITION) named in metadata before its leader replica serves requests.
 */
const notYet = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);

/**
 * Waits until every partition of `topics` has a leader that answers, so the first produce or offset
 * query after setup finds one. Metadata naming a leader is not enough on KRaft: a ListOffsets right
 * after it was answered NOT_LEADER_FOR_PARTITION once in CI, so each topic's offsets are asked too.
 */
async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = metadata.topics.flatMap((t) => t.partitions.filter((p) => p.leader < 0).map((p) => `${t.name}[${p.partitionId}]`));
      if (leaderless.length === 0 && metadata.topics.length === topics.length) {
        for (const topic of topics) await admin.fetchTopicOffsets(topic);
        return;
      }
      last = `partitions without a leader: ${leaderless.join(', ')}`;
    } catch (error) {
      if (!notYet.has((error as { type?: string }).type ?? '')) throw error;
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `created topics ${topics.join(', ')} but their partitions had no leader after ${timeoutMs / 1000} s (${last}); check that every broker is up (streamfold stack status) and run setup again`,
  );
}

function kafkajsAdmin(admin: Admin): TransportAdmin {
  return {
    connect: () => admin.connect(),
    disconnect: () => admin.disconnect(),
    async describeCluster() {
      const { brokers } = await admin.describeCluster();
      return { brokers: brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })) };
    },
    listTopics: () => admin.listTopics(),
    async createTopics(topics) {
      // kafkajs's own waitForLeaders asks only the controller broker and gives up on its first
      // UNKNOWN_TOPIC_OR_PARTITION, which a KRaft cluster answers until the new topic's metadata
      // reaches that broker (seen on the three-broker fault cluster); waitForLeaders above retries it.
      await admin.createTopics({
        waitForLeaders: false,
        topics: topics.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor,
          configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
        })),
      });
      await waitForLeaders(admin, topics.map((t) => t.name));
    },
    async deleteTopics(topics) {
      await admin.deleteTopics({ topics: [...topics] });
    },
    async describeTopics(topics) {
      if (topics.length === 0) return [];
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const configs = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
      return metadata.topics.map(({ name, partitions }) => {
        const entries = configs.resources.find((r) => r.resourceName === name)?.configEntries ?? [];
        return {
          name,
          partitions: partitions.length,
          replicationFactor: partitions[0]?.replicas.length ?? 0,
          config: Object.fromEntries(entries.map((e) => [e.configName, e.configValue])),
        };
      });
    },
    async topicOffsets(topic) {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) })).sort((a, b) => a.partition - b.partition);
    },
    async committedOffsets(groupId, topics) {
      const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
      return committed.flatMap(({ topic, partitions }) =>
        partitions.map(({ partition, offset }) => ({ topic, partition, offset: offset === '-1' ? undefined : BigInt(offset) })),
      );
    },
    async groupMembers(groupIds) {
      const { groups } = await admin.describeGroups([...groupIds]);
      return groups.map((g) => ({ groupId: g.groupId, members: g.members.length }));
    },
    async deleteGroups(groupIds) {
      await admin.deleteGroups([...groupIds]).catch((error: { groups?: { error?: { type?: string } }[] }) => {
        if (!error.groups?.every((g) => g.error?.type === 'GROUP_ID_NOT_FOUND')) throw error;
      });
    },
  };
}
