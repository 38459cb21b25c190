import type { RecordedEvent } from '../core/index.ts';
import { eventColumns, toRecordedEvent, type EventRow } from './eventRows.ts';
import type { PoolClient } from './pool.ts';

export interface Snapshot {
  readonly streamId: string;
  readonly version: bigint;
  /** As stored: the JSON of the domain's `toSnapshot`, or the state itself when it is plain JSON. */
  readonly state: unknown;
}

/**
 * For each stream (in `streamIds`' order, each once), its snapshot for this decider version if any,
 * and the events after it, in one round trip whatever the number of streams: one named statement,
 * parsed once per connection, since a worker at a low rate runs it for nearly every chunk and on
 * this machine each round trip and each parse is a noticeable share of a small chunk's cost.
 * A stream's snapshot comes on its first row only (its tail's rows would repeat it otherwise);
 * a stream with a snapshot and no events after it comes as one row without an event.
 */
export async function readSnapshotsAndTails(
  client: PoolClient,
  streamIds: readonly string[],
  deciderVersion: string | undefined,
): Promise<{ snapshots: Map<string, Snapshot>; events: (RecordedEvent & { schemaId: number })[] }> {
  const { rows } = await client.query<SnapshotAndTailRow>({ ...snapshotsAndTails, values: [[...new Set(streamIds)], deciderVersion ?? null] });
  const snapshots = new Map<string, Snapshot>();
  const events: (RecordedEvent & { schemaId: number })[] = [];
  for (const row of rows) {
    if (row.snapshot_version !== null) {
      snapshots.set(row.snapshot_stream_id, { streamId: row.snapshot_stream_id, version: row.snapshot_version, state: row.snapshot_state });
    }
    if (row.event_uuid !== null) events.push(toRecordedEvent(row));
  }
  return { snapshots, events };
}

type SnapshotAndTailRow = EventRow & { snapshot_stream_id: string; snapshot_version: bigint | null; snapshot_state: unknown };

const snapshotsAndTails = {
  name: 'streamfold.snapshots-and-tails',
  // One index range scan per stream (the lateral subquery with `offset 0` is not flattened into
  // a join): planned as a join, a fresh log's statistics made Postgres hash-join a sequential
  // scan of the whole table, 350 ms a chunk at 700,000 events instead of 6 ms. `$2` null (the
  // domain keeps no snapshots) matches no snapshot row.
  text: `select s.sid::text as snapshot_stream_id,
       case when e.first is not false then snap.version end as snapshot_version,
       case when e.first is not false then snap.state end as snapshot_state,
       e.*
     from unnest($1::uuid[]) with ordinality as s(sid, n)
     left join snapshots snap on snap.stream_id = s.sid and snap.decider_version = $2::text
     left join lateral (
       select ${eventColumns}, row_number() over (order by version) = 1 as first
       from (select ${eventColumns} from events where stream_id = s.sid and version > coalesce(snap.version, 0) order by version offset 0) tail
     ) e on true
     order by s.n, e.version`,
};

export async function saveSnapshots(client: PoolClient, deciderVersion: string, snapshots: readonly Snapshot[]): Promise<void> {
  if (snapshots.length === 0) return;
  await client.query(
    `insert into snapshots (stream_id, decider_version, version, state)
     select s.stream_id, $1, s.version, s.state from unnest($2::uuid[], $3::bigint[], $4::jsonb[]) as s(stream_id, version, state)
     on conflict (stream_id, decider_version) do update
       set version = excluded.version, state = excluded.state, taken_at = now()
       where snapshots.version < excluded.version`,
    [deciderVersion, snapshots.map((s) => s.streamId), snapshots.map((s) => s.version.toString()), snapshots.map((s) => JSON.stringify(s.state))],
  );
}
