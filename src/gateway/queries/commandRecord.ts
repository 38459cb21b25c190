import type { RecordedEvent } from '../../core/index.ts';
import { findProcessedCommand, readEventsCausedBy, unsealEvents, unsealMessages, type PersonalFieldsOf, type Pool } from '../../eventlog/index.ts';

/** A command the archive does not have: no worker received it yet, or it was never sent. */
export interface UnknownCommand {
  readonly commandUuid: string;
  readonly status: 'unknown';
}

/** A received command: pending until decided, then its outcome and the events it caused. */
export interface ArchivedCommand {
  readonly commandUuid: string;
  readonly status: 'pending' | 'accepted' | 'rejected' | 'invalid';
  readonly commandType: string;
  readonly aggregateType: string;
  readonly aggregateUuid: string;
  readonly reason: string | null;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly receivedAt: Date;
  readonly processedAt: Date | null;
  readonly events: RecordedEvent[];
}

export type CommandRecord = UnknownCommand | ArchivedCommand;

export async function readCommandRecord(pool: Pool, commandUuid: string, personalOf?: PersonalFieldsOf): Promise<CommandRecord> {
  const found = await findProcessedCommand(pool, commandUuid);
  if (!found) return { commandUuid, status: 'unknown' };
  const [row] = await unsealMessages(pool, [found], (c) => c.command_type, personalOf);
  if (!row) return { commandUuid, status: 'unknown' };
  return {
    commandUuid: row.command_uuid,
    status: row.outcome ?? 'pending',
    commandType: row.command_type,
    aggregateType: row.aggregate_type,
    aggregateUuid: row.aggregate_uuid,
    reason: row.reason,
    data: row.data,
    metadata: row.metadata,
    receivedAt: row.received_at,
    processedAt: row.processed_at,
    events: row.outcome ? await unsealEvents(pool, await readEventsCausedBy(pool, commandUuid), personalOf) : [],
  };
}

/** Polls until the command is decided or `waitMs` passes (a client's long poll). */
export async function awaitCommandRecord(pool: Pool, commandUuid: string, waitMs: number, personalOf?: PersonalFieldsOf): Promise<CommandRecord> {
  const deadline = Date.now() + waitMs;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    const record = await readCommandRecord(pool, commandUuid, personalOf);
    if (record.status !== 'unknown' && record.status !== 'pending') return record;
    if (Date.now() + delay > deadline) return record;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
