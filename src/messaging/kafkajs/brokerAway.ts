import type { Consumer, ISocketFactory } from 'kafkajs';

const awayErrorNames = new Set([
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSLockTimeout',
]);
const awayProtocolTypes = new Set([
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
]);
/** Socket errors that mean a broker cannot be reached now (the platformatic transport reads them too). */
export const awaySocketCodes: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether a kafkajs error means the broker, or the group coordinator on it, is away for now: a
 * connection refused or dropped, a request unanswered, a coordinator not found or still loading.
 * kafkajs wraps errors in others, so the whole `cause` chain is read.
 */
export function isBrokerAway(error: unknown): boolean {
  let cause = error;
  for (let depth = 0; cause && depth < 10; depth++) {
    const { name, type, code } = cause as { name?: string; type?: string; code?: string };
    if (awayErrorNames.has(name ?? '') || awayProtocolTypes.has(type ?? '') || awaySocketCodes.has(code ?? '')) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/** Broker addresses whose last connection attempt, by any Kafka client of this process, failed. */
const unreachableBrokers = new Set<string>();

/** True while some broker address of this process's clients refuses or drops every connection attempt. */
export const brokerUnreachable = (): boolean => unreachableBrokers.size > 0;

/**
 * Wraps a socket factory to note which broker addresses cannot be reached: a socket closed before
 * it connected marks its address, a socket that connects clears it. kafkajs retries a refused
 * connection for half a minute and more without a consumer event, so this is the one place a
 * broker outage shows while it lasts.
 */
export function notingUnreachableBrokers(factory: ISocketFactory): ISocketFactory {
  return (options) => {
    const address = `${options.host}:${options.port}`;
    let connected = false;
    const socket = factory({
      ...options,
      onConnect: () => {
        connected = true;
        unreachableBrokers.delete(address);
        options.onConnect();
      },
    });
    socket.once('close', () => {
      if (!connected) unreachableBrokers.add(address);
    });
    return socket;
  };
}

/** Waits between restarts while the broker stays away: doubling from 1 s to 10 s, reset once the group is joined. */
export const restartWaitMs = (restartsInARow: number) => Math.min(1_000 * 2 ** restartsInARow, 10_000);

/**
 * Restarts a consumer kafkajs gave up on while the broker was away. kafkajs restarts a crashed
 * consumer only when the error's root is retriable, and `Failed to find group coordinator` (a
 * broker stopped, or still starting) is not: the consumer stays stopped for good (kafkajs#1630).
 * kafkajs has already disconnected it when it reports the crash, so `run` starts it afresh, as
 * kafkajs's own restart does. The line logged matches kafkajs's, so a crash is always followed
 * by "Restarting the consumer" when it comes back.
 */
export function restartWhenBrokerAway(consumer: Consumer, run: () => Promise<void>): { stop(): void } {
  let pending: NodeJS.Timeout | undefined;
  let restartsInARow = 0;
  const cancel = () => {
    clearTimeout(pending);
    pending = undefined;
  };
  const listeners = [
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || !isBrokerAway(payload.error)) return;
      const waitMs = restartWaitMs(restartsInARow++);
      consumer.logger().error(`Restarting the consumer in ${waitMs}ms: kafkajs gave up on it, but the broker is only away`, { groupId: payload.groupId, error: payload.error.message });
      pending = setTimeout(() => {
        pending = undefined;
        // run() hands its own failures to kafkajs's crash handler, so it rejects only on a bug: let that end the process.
        void run();
      }, waitMs);
    }),
    consumer.on(consumer.events.GROUP_JOIN, () => void (restartsInARow = 0)),
    // kafkajs disconnects a crashed consumer before it reports the crash, so a disconnect while a
    // restart is pending is the consumer's owner stopping it.
    consumer.on(consumer.events.DISCONNECT, cancel),
  ];
  return {
    stop() {
      cancel();
      for (const remove of listeners) remove();
    },
  };
}
