-- Crypto-shredding: one AES-256 key per data subject (a student, a reciter). Personal fields are
-- stored sealed with it; forgetting the subject sets the key to null and records who did it, so
-- every copy of the ciphertext (log, archive, topics) reads as erased while the log stays immutable.
create table subject_keys (
  subject_uuid uuid primary key,
  key bytea,
  created_at timestamptz not null default now(),
  forgotten_at timestamptz,
  forgotten_by text
);
