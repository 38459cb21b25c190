import type { RecordedEvent } from 'streamfold';

export function formatEvent(event: RecordedEvent): string {
  return `  v${event.aggregateVersion} ${event.eventType} ${event.recordedAt} ${JSON.stringify(event.data)} ← ${event.causedBy.commandType} ${event.causedBy.commandUuid}`;
}

export function formatTable(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '  (no rows)';
  const columns = Object.keys(rows[0] as object);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => '  ' + values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ');
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}
