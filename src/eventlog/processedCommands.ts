import { toStorableText, type CommandEnvelope, type CommandOutcome } from '../core/index.ts';
import type { Pool, PoolClient } from './pool.ts';

/**
 * Claims a command uuid. True when this is the first delivery; false for a duplicate. A second
 * transaction claiming the same uuid waits on the row lock until the first one ends.
 */
export async function claimCommand(client: PoolClient, command: CommandEnvelope): Promise<boolean> {
  const { rowCount } = await client.query(
    `insert into processed_commands (command_uuid, command_type, aggregate_type, aggregate_uuid, data, metadata)
     values ($1, $2, $3, $4, $5, $6) on conflict (command_uuid) do nothing`,
    [
      command.commandUuid,
      command.commandType,
      command.aggregateType,
      command.aggregateUuid,
      // Claimed before it is decided, so possibly before its data is found invalid: stored storable.
      JSON.stringify(toStorableText(command.data)),
      JSON.stringify(command.metadata),
    ],
  );
  return rowCount === 1;
}

export async function recordOutcome(
  client: PoolClient,
  commandUuid: string,
  outcome: CommandOutcome,
  eventUuids: readonly string[],
  reason: string | null,
): Promise<void> {
  await client.query(
    `update processed_commands set outcome = $2, event_uuids = $3, reason = $4, processed_at = now()
     where command_uuid = $1`,
    [commandUuid, outcome, eventUuids, reason],
  );
}

export interface ProcessedCommand {
  command_uuid: string;
  command_type: string;
  aggregate_type: string;
  aggregate_uuid: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  received_at: Date;
  processed_at: Date | null;
  outcome: CommandOutcome | null;
  event_uuids: string[];
  reason: string | null;
}

export async function findProcessedCommand(db: Pool | PoolClient, commandUuid: string) {
  const { rows } = await db.query<ProcessedCommand & Record<string, unknown>>(
    'select * from processed_commands where command_uuid = $1',
    [commandUuid],
  );
  return rows[0];
}

/**
 * Archives a command that failed on its own data as `invalid`, with the reason, outside the chunk
 * that failed. False when the uuid was processed before (the delivery is a duplicate).
 */
export async function archiveInvalidCommand(client: PoolClient, command: CommandEnvelope, reason: string): Promise<boolean> {
  const { rowCount } = await client.query(
    `insert into processed_commands (command_uuid, command_type, aggregate_type, aggregate_uuid, data, metadata, processed_at, outcome, reason)
     values ($1, $2, $3, $4, $5, $6, now(), 'invalid', $7) on conflict (command_uuid) do nothing`,
    [
      command.commandUuid,
      command.commandType,
      command.aggregateType,
      command.aggregateUuid,
      JSON.stringify(toStorableText(command.data)),
      JSON.stringify(toStorableText(command.metadata)),
      toStorableText(reason),
    ],
  );
  return rowCount === 1;
}

/** How many archived commands each outcome has; `pending` for those claimed and not yet decided. */
export async function countCommandsByOutcome(db: Pool | PoolClient): Promise<{ outcome: string; count: number }[]> {
  const { rows } = await db.query<{ outcome: string; count: number }>(
    `select coalesce(outcome, 'pending') as outcome, count(*)::int as count from processed_commands group by 1 order by 1`,
  );
  return rows;
}
