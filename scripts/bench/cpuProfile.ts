import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a V8 frame's code lives, in the terms the benchmark report uses. */
function categoryOf(url: string): string {
  if (url.includes('/node_modules/kafkajs/')) return 'kafkajs (Kafka client)';
  if (url.includes('/node_modules/avsc/') || url.includes('confluent-schema-registry')) return 'avsc (Avro)';
  if (url.includes('/node_modules/pg') || url.includes('/node_modules/pg-')) return 'pg (Postgres client)';
  if (url.includes('/node_modules/pino') || url.includes('/node_modules/sonic-boom')) return 'pino (logging)';
  if (url.includes('/node_modules/')) return 'other libraries';
  if (url.includes('/src/')) return 'streamfold';
  if (url.startsWith('node:') || url === '') return 'Node.js runtime, GC and idle';
  return 'other';
}

/** Self time per category from the .cpuprofile files in a folder, as shares of the sampled time. */
export function profileShares(dir: string): Record<string, number> {
  const totals = new Map<string, number>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Profile;
    const category = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName === '(idle)' ? 'idle (waiting on I/O)' : categoryOf(n.callFrame.url)]));
    profile.samples.forEach((id, i) => {
      const key = category.get(id) ?? 'other';
      totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
  }
  const sum = [...totals.values()].reduce((a, b) => a + b, 0);
  return Object.fromEntries([...totals].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, (100 * v) / sum]));
}
