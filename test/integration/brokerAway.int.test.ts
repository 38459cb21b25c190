import net from 'node:net';
import kafkajs from 'kafkajs';
import { describe, expect, it, onTestFinished } from 'vitest';

import { runBatches } from '../../src/messaging/batchConsumer.ts';
import { connectWaitingForBroker } from '../../src/messaging/connectWaiting.ts';
import { brokerUnreachable, notingUnreachableBrokers } from '../../src/messaging/kafkajs/brokerAway.ts';
import { createKafka } from '../../src/messaging/kafkajs/kafka.ts';
import { noDelaySocketFactory } from '../../src/messaging/kafkajs/socketFactory.ts';
import { kafkajsTransport } from '../../src/messaging/kafkajs/transport.ts';
import type { StuckReason } from '../../src/messaging/stallWatchdog.ts';
import { connectedAdmin, createTopic, groupForTest, settings } from '../support/kafkaTestKit.ts';

// kafkajs is CommonJS; Node's ESM loader does not see all its named exports.
const { KafkaJSGroupCoordinatorNotFound, logLevel } = kafkajs;

const freePort = async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

/** A TCP forwarder to the shared broker: the bootstrap address a process is given, up only once started. */
async function forwarderTo(target: { host: string; port: number }, port: number): Promise<net.Server> {
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe('a consumer whose handler fails because the broker is away', () => {
  // The sequential loop is kafkajs's runner, which crashes on the error and (kafkajs#1630) stays
  // stopped unless the transport restarts it; the pipelined loop retries the partition in place.
  it.each([
    { loop: 'sequential' as const, crashesSeen: [{ restart: true, error: 'Failed to find group coordinator' }] },
    { loop: 'pipelined' as const, crashesSeen: [] },
  ])('$loop: consumes on, and the stall watchdog does not call it stuck', async ({ loop, crashesSeen }) => {
    const admin = await connectedAdmin();
    const topic = await createTopic(admin);
    const transport = kafkajsTransport(createKafka(settings, 'broker-away-int-test', { logLevel: logLevel.NOTHING }), { consumeLoop: loop });
    const producer = transport.producer();
    const consumer = transport.consumer(groupForTest(admin), { heartbeatIntervalMs: 500, sessionTimeoutMs: 10_000, fetchMaxWaitMs: 500 });
    onTestFinished(async () => {
      await consumer.disconnect();
      await producer.disconnect();
    });
    await producer.connect();
    await consumer.connect([topic]);
    const crashes: { restart: boolean; error: string }[] = [];
    consumer.on('crash', ({ error, restart }) => void crashes.push({ restart, error: error.message }));
    const stuck: StuckReason[] = [];
    const handled: string[] = [];
    let failuresLeft = 1;

    const { stopWatching } = await runBatches(consumer, {
      producer,
      decode: async (_topic, message) => String(message.value),
      handle: async (chunk) => {
        // What kafkajs throws when the broker stopped: the coordinator lookup finds no broker that answers.
        if (failuresLeft-- > 0) throw new (KafkaJSGroupCoordinatorNotFound as unknown as new (message: string) => Error)('Failed to find group coordinator');
        handled.push(...chunk.map((delivered) => delivered.value));
      },
      onStuck: (reason) => void stuck.push(reason),
      stallMs: 60_000,
    });
    try {
      await producer.send([{ topic, messages: [{ key: null, value: 'one', partition: 0 }, { key: null, value: 'two', partition: 0 }] }]);
      await expect.poll(() => handled, { timeout: 30_000, interval: 100 }).toEqual(['one', 'two']);
      expect(crashes).toEqual(crashesSeen);
      expect(stuck).toEqual([]);
    } finally {
      stopWatching();
    }
  });
});

describe('a broker that cannot be reached', () => {
  it('is noted while its connections are refused, and forgotten once one connects', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const factory = notingUnreachableBrokers(noDelaySocketFactory);
    const attempt = () =>
      new Promise<boolean>((resolve) => {
        const socket = factory({ host: '127.0.0.1', port, ssl: undefined as never, onConnect: () => resolve(true) });
        socket.once('error', () => resolve(false));
      });

    expect(await attempt()).toBe(true);
    expect(brokerUnreachable()).toBe(false);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await attempt()).toBe(false);
    await expect.poll(brokerUnreachable).toBe(true);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    expect(await attempt()).toBe(true);
    expect(brokerUnreachable()).toBe(false);
    server.close();
  });
});

describe('a process started while the broker is away', () => {
  const [host, port] = (settings.kafkaBrokers[0] as string).split(':') as [string, string];
  // Quick kafkajs retries, so each attempt ends in seconds and the wait around them is what is tested.
  const clientFor = (bootstrapPort: number) =>
    createKafka(settings, 'broker-away-int-test', { brokers: [`127.0.0.1:${bootstrapPort}`], logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 } });

  it('waits for it, then connects and subscribes', async () => {
    const admin = await connectedAdmin();
    const topic = await createTopic(admin);
    const bootstrapPort = await freePort();
    const transport = kafkajsTransport(clientFor(bootstrapPort));
    const producer = transport.producer();
    const consumer = transport.consumer(groupForTest(admin));
    const started = Date.now();
    const connecting = connectWaitingForBroker({ transport, producer, consumer, topics: [topic], timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const forwarder = await forwarderTo({ host, port: Number(port) }, bootstrapPort);
    try {
      await connecting;
      expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      forwarder.close();
    }
  });

  it('gives up once its start-up time is over, with the connection error', async () => {
    const transport = kafkajsTransport(clientFor(await freePort()));
    const producer = transport.producer();
    const consumer = transport.consumer('never-joined');
    await expect(connectWaitingForBroker({ transport, producer, consumer, topics: ['never-made'], timeoutMs: 2_000 })).rejects.toThrow(/ECONNREFUSED/);
  });
});
