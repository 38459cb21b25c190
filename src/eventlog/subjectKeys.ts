import { anySealed, newSubjectKey, subjectOf, unsealFields, type PersonalFields } from '../messaging/personalData.ts';
import type { Sql } from '../core/index.ts';

/**
 * The keys of these subjects, by lowercase uuid (null once forgotten). With `create`, a subject
 * without one gets 32 random bytes; two transactions creating one at once agree on the winner's.
 */
export async function keysFor(client: Sql, subjects: Iterable<string>, options: { create: boolean }): Promise<Map<string, Buffer | null>> {
  const uuids = [...new Set([...subjects].map((s) => s.toLowerCase()))];
  const keys = new Map<string, Buffer | null>();
  if (uuids.length === 0) return keys;
  if (options.create) {
    await client.query(
      `insert into subject_keys (subject_uuid, key)
       select s, k from unnest($1::uuid[], $2::bytea[]) as n(s, k)
       on conflict (subject_uuid) do nothing`,
      [uuids, uuids.map(() => newSubjectKey())],
    );
  }
  const { rows } = await client.query<{ subject_uuid: string; key: Buffer | null }>(
    'select subject_uuid::text, key from subject_keys where subject_uuid = any($1::uuid[])',
    [uuids],
  );
  for (const row of rows) keys.set(row.subject_uuid, row.key);
  return keys;
}

export interface Forgotten {
  readonly subject: string;
  readonly forgottenAt: string;
  readonly forgottenBy: string;
  /** False when the subject had no key (nothing of theirs was sealed) or was forgotten before. */
  readonly keyDestroyed: boolean;
}

/** Destroys a subject's key and records who did it. A subject never seen gets a destroyed key too, so no later write seals with a new one. */
export async function forgetSubject(client: Sql, subject: string, by: string): Promise<Forgotten> {
  const uuid = subject.toLowerCase();
  const before = await client.query<{ key: Buffer | null }>('select key from subject_keys where subject_uuid = $1', [uuid]);
  const { rows } = await client.query<{ forgotten_at: Date; forgotten_by: string }>(
    `insert into subject_keys as k (subject_uuid, key, forgotten_at, forgotten_by)
     values ($1, null, now(), $2)
     on conflict (subject_uuid) do update
       set key = null, forgotten_at = coalesce(k.forgotten_at, now()), forgotten_by = coalesce(k.forgotten_by, excluded.forgotten_by)
     returning forgotten_at, forgotten_by`,
    [uuid, by],
  );
  const row = rows[0] as (typeof rows)[number];
  return { subject: uuid, forgottenAt: row.forgotten_at.toISOString(), forgottenBy: row.forgotten_by, keyDestroyed: Boolean(before.rows[0]?.key) };
}

export type PersonalFieldsOf = (typeName: string) => PersonalFields | undefined;

/**
 * Messages with their sealed values opened, for every reader (deciders, projections, the
 * operator's views): one key query for them all, none when nothing is sealed.
 */
export async function unsealMessages<M extends { readonly data: unknown }>(
  sql: Sql,
  messages: readonly M[],
  typeOf: (message: M) => string,
  personalOf: PersonalFieldsOf | undefined,
): Promise<M[]> {
  if (!personalOf || !anySealed(messages.map((m) => m.data))) return messages as M[];
  const subjects = messages.map((m) => subjectOf(personalOf(typeOf(m)), m.data)).filter((s): s is string => s !== undefined);
  const keys = await keysFor(sql, subjects, { create: false });
  return messages.map((m) => (m.data && typeof m.data === 'object' ? { ...m, data: unsealFields(personalOf(typeOf(m)), m.data as Record<string, unknown>, keys) } : m));
}

/** Recorded events opened (see unsealMessages). */
export const unsealEvents = <E extends { readonly eventType: string; readonly data: unknown }>(sql: Sql, events: readonly E[], personalOf: PersonalFieldsOf | undefined) =>
  unsealMessages(sql, events, (e) => e.eventType, personalOf);
