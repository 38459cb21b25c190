-- Who sent a dead letter back to its topic or discarded it, and when: the operators' audit record
-- (the CLI's `dead-letters retry|discard`, the gateway and the UI). A Kafka message cannot be deleted,
-- so "discarded" lives here, beside the topic, partition and offset that name the message.
create table dead_letter_actions (
  id bigserial primary key,
  topic text not null,
  partition integer not null,
  "offset" bigint not null,
  action text not null check (action in ('retried', 'discarded')),
  actor text not null,
  error_code text not null default '',
  sent_to text,
  acted_at timestamptz not null default now()
);
create index dead_letter_actions_message on dead_letter_actions (topic, partition, "offset");
