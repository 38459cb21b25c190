-- The event log: the source of truth. Kafka event topics are its publication.
create table events (
  position bigint generated always as identity primary key,
  -- Sequence values become visible out of commit order; readers that need a gapless global
  -- order read only below pg_snapshot_xmin(pg_current_snapshot()) using this column.
  transaction_id xid8 not null default pg_current_xact_id(),
  stream_type text not null,
  stream_id uuid not null,
  version bigint not null check (version > 0),
  event_uuid uuid not null unique,
  type text not null,
  -- The registry's id of the Avro schema the event was written with.
  schema_id integer not null,
  data jsonb not null,
  metadata jsonb not null default '{}',
  caused_by_command_type text not null,
  caused_by_command_uuid uuid not null,
  correlation_id uuid not null,
  recorded_at timestamptz not null default now(),
  -- The optimistic-concurrency guard: two writers cannot both append version n.
  constraint events_stream_version unique (stream_id, version)
);
create index events_caused_by on events (caused_by_command_uuid);
create index events_correlation on events (correlation_id);
create index events_type on events (stream_type, type);

-- The dedup table and the command archive ("commands will be archived for analysis").
create table processed_commands (
  command_uuid uuid primary key,
  command_type text not null,
  aggregate_type text not null,
  aggregate_uuid uuid not null,
  data jsonb not null,
  metadata jsonb not null,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  outcome text check (outcome in ('accepted', 'rejected', 'invalid')),
  event_uuids uuid[] not null default '{}',
  reason text
);
create index processed_commands_aggregate on processed_commands (aggregate_uuid);

-- The second seed's ProjectedEvent: which projector has applied which event.
create table projected_events (
  projector text not null,
  event_uuid uuid not null,
  projected_at timestamptz not null default now(),
  primary key (projector, event_uuid)
);

-- Events a projection could not apply: halted (the projection waits) or parked (it went on).
create table projection_failures (
  projector text not null,
  event_uuid uuid not null,
  event_type text not null,
  aggregate_uuid uuid not null,
  topic text not null,
  partition integer not null,
  "offset" text not null,
  error text not null,
  policy text not null check (policy in ('halt', 'park')),
  status text not null check (status in ('halted', 'parked', 'resumed', 'skipped')),
  failed_at timestamptz not null default now(),
  primary key (projector, event_uuid)
);
