// Prints the fault matrix of the last run as a markdown table, from .streamfold/faults-results/*.json:
//   npx tsx test/faults/report.ts
import fs from 'node:fs';
import path from 'node:path';

const dir = path.resolve(import.meta.dirname, '../../.streamfold/faults-results');
const columns = [
  ['verdict', 'verdict'],
  ['commandsSent', 'commands'],
  ['events', 'events'],
  ['faults', 'faults injected'],
  ['duplicates', 'duplicates absorbed (commands / event copies)'],
  ['deadLettered', 'dead-lettered'],
  ['recoveredInMs', 'recovered in (ms)'],
  ['notes', 'also seen'],
] as const;
const faultKeys = [
  'hookKills',
  'harnessKills',
  'pauses',
  'brokerKills',
  'brokerStops',
  'registryStops',
  'postgresRestarts',
  'poisonMessages',
  'throwingHandlerEvents',
  'slowEvents',
  'delayedSeconds',
  'connectionResets',
  'blackholeSeconds',
];
const noteKeys = ['crashes', 'stallExits', 'stopTimeouts', 'handlerErrors', 'memberEvictions', 'consumerRestarts', 'chunkConflicts', 'topicOrderInversions', 'deadLetterCopies', 'failedSendsRetried', 'commandSendsCompleted', 'eventSendsCompleted'];

const rows = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { label: string; numbers: Record<string, number | string> });

console.log(`| run | ${columns.map(([, title]) => title).join(' | ')} |`);
console.log(`| --- | ${columns.map(() => '---').join(' | ')} |`);
for (const { label, numbers: n } of rows) {
  const faults = faultKeys.filter((k) => Number(n[k] ?? 0) > 0).map((k) => `${k} ${n[k]}`).join(', ') || '-';
  const cells = columns.map(([key]) => {
    if (key === 'faults') return faults;
    if (key === 'notes') return noteKeys.filter((k) => Number(n[k] ?? 0) > 0).map((k) => `${k} ${n[k]}`).join(', ') || '-';
    if (key === 'duplicates') return `${n.commandDuplicatesAbsorbed} / ${n.duplicateEventCopiesAbsorbed}`;
    return String(n[key]);
  });
  console.log(`| ${label} | ${cells.join(' | ')} |`);
}
