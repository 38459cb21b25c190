import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

// Native calls through which Node hands bytes to the kernel: their self time is the system call,
// which on loopback includes the receiving side's network stack.
const socketWrites = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeUcs2String']);

/** Where a V8 frame's code lives, in the terms the benchmark report uses. */
function categoryOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (functionName === '(idle)') return 'idle (waiting on I/O)';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (url === '' && socketWrites.has(functionName)) return 'socket writes (system calls)';
  if (url.includes('/node_modules/kafkajs/')) return 'kafkajs (Kafka client)';
  if (url.includes('/node_modules/avsc/') || url.includes('confluent-schema-registry')) return 'avsc (Avro)';
  if (url.includes('/node_modules/pg') || url.includes('/node_modules/pg-')) return 'pg (Postgres client)';
  if (url.includes('/node_modules/pino') || url.includes('/node_modules/sonic-boom')) return 'pino (logging)';
  if (url.includes('/node_modules/')) return 'other libraries';
  if (url.includes('/src/')) return 'streamfold';
  if (url.startsWith('node:') || url === '') return 'Node.js runtime';
  return 'other';
}

/** A stretch of time on the monotonic clock V8 stamps samples with (`process.hrtime`), in µs. */
export interface ProfileWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

/** Now on the clock of ProfileWindow. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Self time per category from the .cpuprofile files in a folder, as shares of the sampled time;
 * with a window, only the samples inside it (the measured load, not start-up and warm-up).
 */
export function profileShares(dir: string, window?: ProfileWindow): Record<string, number> {
  const totals = new Map<string, number>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Profile;
    const category = new Map(profile.nodes.map((n) => [n.id, categoryOf(n.callFrame)]));
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      at += delta;
      if (window && (at < window.fromUs || at > window.toUs)) return;
      const key = category.get(id) ?? 'other';
      totals.set(key, (totals.get(key) ?? 0) + delta);
    });
  }
  const sum = [...totals.values()].reduce((a, b) => a + b, 0);
  return Object.fromEntries([...totals].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, (100 * v) / sum]));
}
