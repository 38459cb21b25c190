import { eventTopicOf, type CommandEnvelope, type Domain, type Reactor, type RecordedEvent } from '../core/index.ts';
import { uuidV5 } from '../core/nameBasedUuid.ts';
import { produceCommands } from '../client/commandSender.ts';
import { unsealEvents } from '../eventlog/index.ts';
import { runBatches } from '../messaging/batchConsumer.ts';
import { connectWaitingForBroker } from '../messaging/connectWaiting.ts';
import { eventAtDoor } from '../messaging/messageDoor.ts';
import { messageDeadLettered, reactorChunkHandled, watchConsumer } from '../metrics/index.ts';
import type { TransportMessage } from '../messaging/transport.ts';
import type { Runtime } from '../runtime.ts';

export const reactorGroupOf = (app: string, reactor: Pick<Reactor, 'name'>) => `${app}.reactor.${reactor.name}`;

/** A redelivered event yields the same command uuids, which the worker's dedup table absorbs. */
export const reactionUuid = (eventUuid: string, key: string) => uuidV5(`reaction:${key}`, eventUuid);

export interface ReactorOptions {
  readonly log?: (line: string, fields?: Record<string, unknown>) => void;
}

export async function startReactor(runtime: Runtime, reactor: Reactor, options: ReactorOptions = {}): Promise<{ stop(): Promise<void> }> {
  const { transport } = runtime;
  const producer = transport.producer();
  const group = reactorGroupOf(runtime.config.app, reactor);
  const consumer = transport.consumer(group, { fetchMaxWaitMs: runtime.settings.fetchMaxWaitMs, sessionTimeoutMs: runtime.settings.sessionTimeoutMs });
  const domainByTopic = new Map(reactor.sources.map((name) => runtime.domainNamed(name)).map((domain) => [eventTopicOf(domain), domain]));
  const unwatch = watchConsumer(consumer, group, [...domainByTopic.keys()]);
  await connectWaitingForBroker({
    transport,
    producer,
    consumer,
    topics: [...domainByTopic.keys()],
    timeoutMs: runtime.settings.startTimeoutMs,
    onWait: (error, waitMs) => options.log?.('waiting for the broker before connecting again', { waitMs, error: error.message }),
  });

  await runBatches<RecordedEvent>(consumer, {
    producer,
    decode: (topic: string, message: TransportMessage) => eventAtDoor(message, domainByTopic.get(topic) as Domain, runtime.codec),
    handle: async (chunk) => {
      const started = performance.now();
      let producing = 0;
      let produced = 0;
      // Reactors see plaintext (or [erased]), as deciders and projections do: one key query per chunk at most.
      for (const event of await unsealEvents(runtime.pool, chunk.map((d) => d.value), runtime.codec.personalFields)) {
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
        const sending = performance.now();
        await produceCommands(runtime, producer, commands);
        producing += performance.now() - sending;
        produced += commands.length;
      }
      reactorChunkHandled(reactor.name, produced, { total: (performance.now() - started) / 1000, produce: producing / 1000 });
    },
    onDeadLetter: (topic) => messageDeadLettered(topic),
  });

  return {
    async stop() {
      unwatch();
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
