-- Projection versions: every version of a projection that was built, and the one readers see.
-- Lives with the read model (the event log's database unless `rebuild` made a read database).
create table projection_versions (
  projection text not null,
  version integer not null check (version > 0),
  -- replaying: being built or kept current beside the live one; live: the stable schema's views
  -- point at it; superseded: was live, still consuming until retired; retired: group and schema dropped.
  status text not null check (status in ('replaying', 'live', 'superseded', 'retired')),
  created_at timestamptz not null default now(),
  -- Set by a passing `streamfold verify`, cleared by a failing one; cutover requires it.
  verified_at timestamptz,
  -- The last verification's report: per table rows and checksum, events folded, passed or not.
  verification jsonb,
  live_since timestamptz,
  retired_at timestamptz,
  primary key (projection, version)
);
-- At most one version of a projection serves readers.
create unique index projection_versions_one_live on projection_versions (projection) where status = 'live';

-- How far each projector has applied each partition, written in the transaction that applies the
-- events: the read model knows its own position, so a cutover compares two versions exactly.
create table projection_offsets (
  projector text not null,
  topic text not null,
  partition integer not null,
  next_offset bigint not null,
  updated_at timestamptz not null default now(),
  primary key (projector, topic, partition)
);

-- Replay from the event log reads the rows of the transactions that committed since its last look.
create index events_transaction_id on events (transaction_id);
