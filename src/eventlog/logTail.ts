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
  // The round's last position: every row its snapshot sees is at or below it.
  let last = 0n;
  let after = 0n;
  let readInRound = 0;
  // Each page reads a bounded range of positions through the primary key. Asked for "the next
  // rows after p" over the whole log, the planner may sort every later row for one page, and with
  // the stream-type filter as an index condition it scans that index whole: with fresh-table
  // statistics it did both, and a replay of a million events fell to 3,500 events/s, slower with
  // every page. (`is true` keeps the filter out of index conditions.)
  const window = BigInt(pageSize) * 4n;

  const page = async (upTo: bigint) => {
    const { rows } = await db.query<EventRow>(
      `select ${eventColumns} from events
       where position > $3 and position <= $6
         and pg_visible_in_snapshot(transaction_id, $1::pg_snapshot)
         and ($2::pg_snapshot is null
              or (transaction_id >= pg_snapshot_xmin($2::pg_snapshot) and not pg_visible_in_snapshot(transaction_id, $2::pg_snapshot)))
         and ($4::text[] is null or (stream_type = any($4)) is true)
       order by position limit $5`,
      [current, previous, after.toString(), streamTypes ?? null, pageSize, upTo.toString()],
    );
    return rows.map(toRecordedEvent);
  };

  return {
    async next() {
      for (;;) {
        if (current === null) {
          const { rows } = await db.query<{ snapshot: string; last: bigint }>(
            'select pg_current_snapshot()::text as snapshot, (select coalesce(max(position), 0) from events) as last',
          );
          current = rows[0]?.snapshot ?? null;
          last = rows[0]?.last ?? 0n;
          after = 0n;
          readInRound = 0;
        }
        while (after < last) {
          const upTo = after + window < last ? after + window : last;
          const events = await page(upTo);
          // A full page may leave rows in its range; a short one has read the range whole.
          after = events.length === pageSize ? (events.at(-1)?.position ?? upTo) : upTo;
          if (events.length > 0) {
            readInRound += events.length;
            return events;
          }
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
