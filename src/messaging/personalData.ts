import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Crypto-shredding, the pure part: a schema's personal fields, and their values sealed with the
 * data subject's key (AES-256-GCM). It lives beside the schema catalog because the fields are
 * declared in the `.avsc`; node:crypto does no I/O, and the keys come from src/eventlog/subjectKeys.
 */

/** A record's personal fields and the uuid field naming whose data they are. */
export interface PersonalFields {
  readonly subject: string;
  readonly fields: readonly string[];
}

/** Keys by subject uuid; `null` for a subject that was forgotten. */
export type SubjectKeys = ReadonlyMap<string, Buffer | null>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const SEALED_PREFIX = 'sfenc:v1:';
/** What a personal value reads as once its subject's key is destroyed. */
export const ERASED = '[erased]';

interface RawField {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly personal?: unknown;
}

const isString = (type: unknown) => type === 'string';
const isOptionalString = (type: unknown) => Array.isArray(type) && type.length === 2 && type.includes('null') && type.some(isString);
const isUuid = (type: unknown) => typeof type === 'object' && type !== null && (type as { logicalType?: unknown }).logicalType === 'uuid';

/**
 * The personal fields a raw `.avsc` record declares (`"personal": true` on a string or
 * ["null","string"] field, `"subject": "<uuid field>"` on the record); undefined for none.
 * Throws a reason (without the file: the caller names it) when the declaration is unusable.
 */
export function personalFieldsOf(definition: unknown): PersonalFields | undefined {
  const record = definition as { fields?: unknown; subject?: unknown };
  const fields = Array.isArray(record?.fields) ? (record.fields as RawField[]) : [];
  const personal = fields.filter((f) => f?.personal === true);
  if (personal.length === 0) return undefined;
  for (const field of personal) {
    if (!isString(field.type) && !isOptionalString(field.type)) {
      throw new Error(`the personal field ${String(field.name)} must be a string or ["null","string"]`);
    }
  }
  const names = personal.map((f) => String(f.name));
  if (typeof record.subject !== 'string') throw new Error(`it has personal fields (${names.join(', ')}) but no "subject" naming the uuid field of their data subject`);
  const subjectField = fields.find((f) => f?.name === record.subject);
  if (!subjectField || !isUuid(subjectField.type)) throw new Error(`its "subject" ${record.subject} is not a uuid field (logicalType uuid) of the record`);
  if (names.includes(record.subject)) throw new Error(`its subject field ${record.subject} cannot itself be personal`);
  return { subject: record.subject, fields: names };
}

export const newSubjectKey = (): Buffer => randomBytes(32);

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(SEALED_PREFIX);

/** One value sealed with a fresh 12-byte IV: `sfenc:v1:<base64url(iv ‖ ciphertext ‖ tag)>`, still an Avro string. */
export function seal(value: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return SEALED_PREFIX + sealed.toString('base64url');
}

/** The plaintext of a sealed value; ERASED without a key; a value never sealed (older data) as it is. */
export function unseal(value: string, key: Buffer | null | undefined): string {
  if (!isSealed(value)) return value;
  if (!key) return ERASED;
  const bytes = Buffer.from(value.slice(SEALED_PREFIX.length), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8');
}

/** The subject uuid of one message's data, if it has personal fields and names one. */
export function subjectOf(personal: PersonalFields | undefined, data: unknown): string | undefined {
  if (!personal || !data || typeof data !== 'object') return undefined;
  const subject = (data as Record<string, unknown>)[personal.subject];
  // A subject that is not a uuid (a foreign producer's invalid command) has no key to look up.
  return typeof subject === 'string' && UUID.test(subject) ? subject.toLowerCase() : undefined;
}

/**
 * The data with its personal values sealed. A forgotten subject's (key null) are written as
 * ERASED: forgetting is for good, later writes keep nothing. Without a subject, data is as is.
 */
export function sealFields(personal: PersonalFields | undefined, data: Record<string, unknown>, keys: SubjectKeys): Record<string, unknown> {
  const subject = subjectOf(personal, data);
  if (!personal || subject === undefined || !keys.has(subject)) return data;
  const key = keys.get(subject) ?? null;
  const out = { ...data };
  for (const field of personal.fields) {
    const value = out[field];
    if (typeof value === 'string' && !isSealed(value)) out[field] = key ? seal(value, key) : ERASED;
  }
  return out;
}

/** The data with every sealed top-level value opened (ERASED where the subject was forgotten). */
export function unsealFields(personal: PersonalFields | undefined, data: Record<string, unknown>, keys: SubjectKeys): Record<string, unknown> {
  if (!Object.values(data).some(isSealed)) return data;
  const subject = subjectOf(personal, data);
  const key = subject === undefined ? undefined : keys.get(subject);
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) out[field] = isSealed(value) ? unseal(value, key) : value;
  return out;
}

/** Whether any of these data hold a sealed value, i.e. whether keys must be looked up at all. */
export const anySealed = (datas: Iterable<unknown>): boolean => {
  for (const data of datas) if (data && typeof data === 'object' && Object.values(data).some(isSealed)) return true;
  return false;
};
