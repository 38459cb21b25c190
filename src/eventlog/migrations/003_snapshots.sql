-- Snapshots of long streams: the folded state at a version, per decider version, so a changed
-- decider never reads a state an older `evolve` folded. Load = snapshot + the events after it.
create table snapshots (
  stream_id uuid not null,
  decider_version text not null,
  version bigint not null,
  state jsonb not null,
  taken_at timestamptz not null default now(),
  primary key (stream_id, decider_version)
);
