import type { Consumer, KafkaMessage } from 'kafkajs';
import { v5 as uuidv5 } from 'uuid';
import { eventTopicOf, type CommandEnvelope, type Domain, type Reactor, type RecordedEvent } from '../core/index.ts';
import { produceCommands } from '../client/commandSender.ts';
import { runBatches } from '../messaging/batchConsumer.ts';
import { connectWaitingForBroker } from '../messaging/brokerAway.ts';
import { createProducer } from '../messaging/completeSend.ts';
import { eventAtDoor } from '../messaging/messageDoor.ts';
import type { Runtime } from '../runtime.ts';

export const reactorGroupOf = (app: string, reactor: Pick<Reactor, 'name'>) => `${app}.reactor.${reactor.name}`;

/** A redelivered event yields the same command uuids, which the worker's dedup table absorbs. */
export const reactionUuid = (eventUuid: string, key: string) => uuidv5(`reaction:${key}`, eventUuid);

export async function startReactor(runtime: Runtime, reactor: Reactor): Promise<{ consumer: Consumer; stop(): Promise<void> }> {
  const producer = createProducer(runtime.kafka);
  const consumer = runtime.kafka.consumer({ groupId: reactorGroupOf(runtime.config.app, reactor), maxWaitTimeInMs: runtime.settings.fetchMaxWaitMs, sessionTimeout: runtime.settings.sessionTimeoutMs });
  const domainByTopic = new Map(reactor.sources.map((name) => runtime.domainNamed(name)).map((domain) => [eventTopicOf(domain), domain]));
  await connectWaitingForBroker(producer, consumer, { topics: [...domainByTopic.keys()], fromBeginning: true }, runtime.settings.startTimeoutMs);

  await runBatches<RecordedEvent>(consumer, {
    producer,
    decode: (topic: string, message: KafkaMessage) => eventAtDoor(message, domainByTopic.get(topic) as Domain, runtime.codec),
    handle: async (chunk) => {
      for (const { value: event } of chunk) {
        const reactions = await reactor.react(event, runtime.pool);
        const commands = reactions.map(
          (reaction, index): CommandEnvelope => ({
            commandType: reaction.commandType,
            commandUuid: reactionUuid(event.eventUuid, reaction.key ?? String(index)),
            aggregateType: reaction.aggregateType,
            aggregateUuid: reaction.aggregateUuid,
            data: reaction.data,
            metadata: { issuedAt: event.recordedAt, issuedBy: `reactor:${reactor.name}`, role: 'system', correlationId: event.correlationId, causationId: event.eventUuid },
          }),
        );
        await produceCommands(runtime, producer, commands);
      }
    },
  });

  return {
    consumer,
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
