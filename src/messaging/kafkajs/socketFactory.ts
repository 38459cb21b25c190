import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

const KEEP_ALIVE_DELAY_MS = 60_000;

/**
 * kafkajs's own socket factory plus `setNoDelay`: Node leaves Nagle's algorithm on for a plain
 * socket, so a small request written while the previous one is unacknowledged waits for the
 * peer's delayed ACK (up to 40 ms on Linux). Kafka's requests are small and latency-bound;
 * the Java client and @platformatic/kafka turn Nagle off too.
 */
export const noDelaySocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect) : net.connect({ host, port }, onConnect);
  socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  socket.setNoDelay(true);
  return socket;
};
