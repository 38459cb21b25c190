import type { RecordedEvent } from '../core/index.ts';
import { eventColumns, toRecordedEvent, type EventRow } from './eventRows.ts';
import type { Pool, PoolClient } from './pool.ts';

export interface LogTail {
  /** The next page of events not read before, in a commit-safe order; empty when caught up with the log. */
  next(): Promise<(RecordedEvent & { schemaId: number })[]>;
}

/**
 * Reads the event log in global order without the global-order trap. Positions are drawn before
 * commit, so a row with a smaller position can become visible after a larger one; a reader that
 * remembers max(position) skips it for good. This reader goes in rounds instead: each round takes
 * a snapshot and reads, in position order, the rows visible in it that were not visible in the
 * previous round's snapshot. A later snapshot sees every transaction an earlier one saw, so each
 * committed row is read in exactly one round, however late it commits; and version n+1 of an
 * aggregate was appended after version n committed, so n is read in the same round or before.
 * Unlike reading only below pg_snapshot_xmin, a long-open transaction holds back only its own rows.
 */
export function openLogTail(db: Pool | PoolClient, streamTypes?: readonly string[], pageSize = 1000): LogTail {
  let previous: string | null = null;
  let current: string | null = null;
  let after = 0n;
  let readInRound = 0;

  const page = async () => {
    const { rows } = await db.query<EventRow>(
      `select ${eventColumns} from events
       where pg_visible_in_snapshot(transaction_id, $1::pg_snapshot)
         and ($2::pg_snapshot is null
              or (transaction_id >= pg_snapshot_xmin($2::pg_snapshot) and not pg_visible_in_snapshot(transaction_id, $2::pg_snapshot)))
         and position > $3
         and ($4::text[] is null or stream_type = any($4))
       order by position limit $5`,
      [current, previous, after.toString(), streamTypes ?? null, pageSize],
    );
    return rows.map(toRecordedEvent);
  };

  return {
    async next() {
      for (;;) {
        if (current === null) {
          current = (await db.query<{ snapshot: string }>('select pg_current_snapshot()::text as snapshot')).rows[0]?.snapshot ?? null;
          after = 0n;
          readInRound = 0;
        }
        const events = await page();
        if (events.length > 0) {
          after = events.at(-1)?.position ?? after;
          readInRound += events.length;
          return events;
        }
        // This round is read; the next one reads what committed since its snapshot.
        const roundWasEmpty = readInRound === 0;
        previous = current;
        current = null;
        if (roundWasEmpty) return [];
      }
    },
  };
}
