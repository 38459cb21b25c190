import { withRetries, type RetryPolicy } from '../retry.ts';
import type { Transport, TransportConsumer, TransportProducer } from './transport.ts';

/** Waits at start-up for a broker that is away: doubling from 1 s to 5 s, beside the client's own connection retries. */
const startWait: RetryPolicy = { attempts: Infinity, initialMs: 1_000, factor: 2, maxMs: 5_000 };

export interface ConnectWaiting {
  readonly transport: Pick<Transport, 'isBrokerAway'>;
  readonly producer: TransportProducer;
  readonly consumer: TransportConsumer;
  readonly topics: readonly string[];
  readonly timeoutMs: number;
  readonly onWait?: (error: Error, waitMs: number) => void;
}

/**
 * Connects a consumer process's producer and consumer and subscribes, waiting up to `timeoutMs`
 * for a broker that is away: a supervisor restarting a process during a broker outage must not
 * see it exit on ECONNREFUSED and restart it again and again. Errors of another kind fail at once.
 */
export async function connectWaitingForBroker({ transport, producer, consumer, topics, timeoutMs, onWait }: ConnectWaiting): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await withRetries(
    async () => {
      await producer.connect();
      await consumer.connect(topics);
    },
    startWait,
    {
      retryIf: (error) => transport.isBrokerAway(error) && Date.now() < deadline,
      onRetry: (error, waitMs) => onWait?.(error as Error, waitMs),
    },
  );
}
