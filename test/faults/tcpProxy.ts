import fs from 'node:fs';
import net from 'node:net';

/**
 * pass: bytes flow. delay: each chunk waits `ms`. blackhole: bytes are held back, as behind a dead
 * link (TCP keeps them, nothing arrives); when the mode goes back to pass they arrive in order, as
 * after a partition that healed before TCP gave up. `resetTargeted` is the other ending: RST.
 */
export type ProxyMode = { kind: 'pass' } | { kind: 'delay'; ms: number } | { kind: 'blackhole' };

interface Pair {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  /** The Kafka client id of the connection's first request, once seen. */
  clientId: string | undefined;
  /** Bytes held back by a blackhole, per direction, delivered in order when it lifts. */
  readonly held: { toUpstream: Buffer[]; toClient: Buffer[] };
  readonly id: number;
  readonly bytes: { toUpstream: number; toClient: number; lastToUpstreamAt: number; lastToClientAt: number };
}

/** The client id of a Kafka request frame: size, api key, api version, correlation id, then the id. */
function kafkaClientId(frame: Buffer): string | undefined {
  if (frame.length < 14) return undefined;
  const length = frame.readInt16BE(12);
  return length >= 0 && frame.length >= 14 + length ? frame.toString('utf8', 14, 14 + length) : undefined;
}

/**
 * A TCP proxy in front of a broker that advertises the proxy's address, for network faults:
 * bytes pass, are delayed, or are held (a blackhole); `resetTargeted` sends RST both ways. Faults hit only connections whose Kafka client id matches
 * `targets`, so the harness's own load and checks keep a clean line.
 */
export class TcpProxy {
  private mode: ProxyMode = { kind: 'pass' };
  private readonly pairs = new Set<Pair>();
  private server: net.Server | undefined;
  private nextId = 1;
  resets = 0;
  /** With STREAMFOLD_FAULTS_PROXY_TRACE=<file>, one JSON line per connection when it closes or the proxy stops. */
  private readonly traceFile = process.env.STREAMFOLD_FAULTS_PROXY_TRACE;

  private trace(pair: Pair, event: string): void {
    if (!this.traceFile) return;
    const { id, clientId, bytes, held } = pair;
    fs.appendFileSync(this.traceFile, `${JSON.stringify({ at: new Date().toISOString(), event, id, clientId, mode: this.mode.kind, ...bytes, held: held.toUpstream.length + held.toClient.length })}\n`);
  }

  constructor(
    readonly listenPort: number,
    private readonly targetPort: number,
    private readonly targets: RegExp,
  ) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
  }

  private faulted(pair: Pair): boolean {
    return pair.clientId !== undefined && this.targets.test(pair.clientId);
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect({ host: '127.0.0.1', port: this.targetPort });
    const pair: Pair = {
      client,
      upstream,
      clientId: undefined,
      held: { toUpstream: [], toClient: [] },
      id: this.nextId++,
      bytes: { toUpstream: 0, toClient: 0, lastToUpstreamAt: 0, lastToClientAt: 0 },
    };
    this.pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket, fromClient: boolean) => {
      const held = fromClient ? pair.held.toUpstream : pair.held.toClient;
      // A stream's bytes must keep their order, so nothing passes a chunk still being delayed.
      let lastDue = 0;
      const send = (chunk: Buffer, delayMs: number) => {
        const due = Math.max(Date.now() + delayMs, lastDue);
        lastDue = due;
        const write = () => {
          if (!to.writable) return;
          to.write(chunk);
          if (fromClient) {
            pair.bytes.toUpstream += chunk.length;
            pair.bytes.lastToUpstreamAt = Date.now();
          } else {
            pair.bytes.toClient += chunk.length;
            pair.bytes.lastToClientAt = Date.now();
          }
        };
        if (due <= Date.now()) write();
        else setTimeout(write, due - Date.now());
      };
      from.on('data', (chunk: Buffer) => {
        if (fromClient && pair.clientId === undefined) pair.clientId = kafkaClientId(chunk) ?? '';
        const mode = this.faulted(pair) ? this.mode : { kind: 'pass' as const };
        if (mode.kind === 'blackhole' || held.length > 0) held.push(chunk);
        else send(chunk, mode.kind === 'delay' ? mode.ms : 0);
      });
    };
    forward(client, upstream, true);
    forward(upstream, client, false);
    const close = () => {
      if (this.pairs.has(pair)) this.trace(pair, 'closed');
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  }

  set(mode: ProxyMode): void {
    this.mode = mode;
    if (mode.kind === 'blackhole') return;
    for (const pair of this.pairs) {
      for (const chunk of pair.held.toUpstream.splice(0)) if (pair.upstream.writable) pair.upstream.write(chunk);
      for (const chunk of pair.held.toClient.splice(0)) if (pair.client.writable) pair.client.write(chunk);
    }
  }

  /** Resets every targeted connection (RST to both ends); clients reconnect through the proxy. */
  resetTargeted(): number {
    let count = 0;
    for (const pair of this.pairs) {
      if (!this.faulted(pair)) continue;
      this.trace(pair, 'reset');
      pair.client.resetAndDestroy();
      pair.upstream.resetAndDestroy();
      this.pairs.delete(pair);
      count += 1;
    }
    this.resets += count;
    return count;
  }

  async stop(): Promise<void> {
    for (const pair of this.pairs) {
      this.trace(pair, 'open at stop');
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
