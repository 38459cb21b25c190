// The `floor` scenario's first half: what one message between two processes costs on this machine,
// whatever sends it. Every hop of a command (a Kafka request, a Postgres statement, their answers)
// is such a message, so this times how many a command makes is the least CPU a command can cost.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { cpuSecondsOf } from './cpuTime.ts';
import { median } from './stats.ts';

/** The echoing side, run by `node -e` in a child process: answers every read with the same bytes. */
const echoServer = `
const server = require('node:net').createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (bytes) => socket.write(bytes));
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;

export interface LoopbackFloor {
  /** Wall time of one round trip (a message each way), µs. */
  readonly roundTripUs: number;
  /** CPU both processes spend on one round trip, µs: the cost of two messages. */
  readonly cpuPerRoundTripUs: number;
}

/**
 * Node to Node over loopback TCP, one message of `bytes` in flight at a time, `roundTrips` times:
 * the same event loop, socket writes and wakeups a Kafka or Postgres round trip of a small chunk
 * pays, without any protocol. Median of `repeats` timed stretches after a warm-up.
 */
export async function loopbackFloor(roundTrips = 20_000, bytes = 300, repeats = 3): Promise<LoopbackFloor> {
  const child = spawn(process.execPath, ['-e', echoServer], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (line) => resolve(Number(String(line).trim())));
      child.once('exit', (code) => reject(new Error(`the echo server exited (${code}) before listening`)));
    });
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise((resolve) => socket.once('connect', resolve));
    const payload = Buffer.alloc(bytes, 1);
    const pingPong = (count: number) =>
      new Promise<void>((resolve) => {
        let answered = 0;
        let received = 0;
        const onData = (chunk: Buffer) => {
          received += chunk.length;
          if (received < bytes) return;
          received = 0;
          if (++answered === count) {
            socket.off('data', onData);
            resolve();
          } else socket.write(payload);
        };
        socket.on('data', onData);
        socket.write(payload);
      });
    await pingPong(2_000);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const ownBefore = process.cpuUsage();
      const childBefore = cpuSecondsOf(child.pid);
      const started = performance.now();
      await pingPong(roundTrips);
      const elapsedUs = (performance.now() - started) * 1000;
      const own = process.cpuUsage(ownBefore);
      wall.push(elapsedUs / roundTrips);
      cpu.push((own.user + own.system + (cpuSecondsOf(child.pid) - childBefore) * 1e6) / roundTrips);
    }
    socket.destroy();
    return { roundTripUs: median(wall), cpuPerRoundTripUs: median(cpu) };
  } finally {
    child.kill();
  }
}
