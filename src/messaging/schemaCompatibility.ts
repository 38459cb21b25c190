import avro from 'avsc';
import { fingerprintOf, type MessageSchema } from './schemaCatalog.ts';
import type { Upcasting } from './upcasting.ts';

export type Verdict = 'unchanged' | 'new' | 'compatible' | 'needs-upcaster' | 'breaking';

export interface SchemaVerdict {
  readonly subject: string;
  readonly file: string;
  readonly verdict: Verdict;
  /** One line per written schema that needs attention: which version, and the field and reason. */
  readonly details: readonly string[];
}

export interface WrittenSchema {
  readonly label: string;
  readonly type: avro.Type;
}

const rank: Record<Verdict, number> = { unchanged: 0, new: 0, compatible: 1, 'needs-upcaster': 2, breaking: 3 };
export const worst = (verdicts: readonly Verdict[]): Verdict =>
  verdicts.reduce<Verdict>((a, b) => (rank[b] > rank[a] ? b : a), verdicts.length === 0 ? 'new' : 'unchanged');

/**
 * Can today's schema read everything written before? Avro resolution decides; where it cannot,
 * an upcaster declared for that exact writer schema makes the change `needs-upcaster` (handled);
 * with neither, it is `breaking`, with avsc's reason naming the field.
 */
export function judge(local: MessageSchema | undefined, written: readonly WrittenSchema[], upcasting: Upcasting): { verdict: Verdict; details: string[] } {
  const details: string[] = [];
  const verdicts: Verdict[] = [];
  for (const { label, type } of written) {
    const upcaster = upcasting.upcasterFor(type);
    if (local && fingerprintOf(local.type) === fingerprintOf(type)) {
      verdicts.push('unchanged');
      continue;
    }
    if (upcaster) {
      verdicts.push('needs-upcaster');
      details.push(`${label}: read through the upcaster from ${upcaster.fromSchema}`);
      continue;
    }
    if (!local) {
      verdicts.push('breaking');
      details.push(`${label}: no schema for this type in the avro folder any more, and no upcaster from it`);
      continue;
    }
    try {
      local.type.createResolver(type);
      verdicts.push('compatible');
    } catch (error) {
      verdicts.push('breaking');
      details.push(`${label}: ${(error as Error).message} — make the change compatible (a default, an alias) or declare an upcaster from that schema`);
    }
  }
  return { verdict: worst(verdicts), details };
}

/** Every version the registry holds of a subject (none when the subject is new). */
export async function registeredVersions(registryUrl: string, subject: string): Promise<WrittenSchema[]> {
  const list = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}/versions`);
  if (list.status === 404) return [];
  if (!list.ok) throw new Error(`the registry answered ${list.status} for the versions of ${subject}: ${await list.text()}`);
  const versions = (await list.json()) as number[];
  const written: WrittenSchema[] = [];
  for (const version of versions) {
    const response = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}/versions/${version}`);
    if (!response.ok) throw new Error(`the registry answered ${response.status} for ${subject} version ${version}`);
    const { schema, id } = (await response.json()) as { schema: string; id: number };
    written.push({ label: `registered version ${version} (id ${id})`, type: avro.Type.forSchema(JSON.parse(schema)) });
  }
  return written;
}

export async function setCompatibility(registryUrl: string, subject: string, compatibility: string): Promise<void> {
  const response = await fetch(`${registryUrl}/config/${encodeURIComponent(subject)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility }),
  });
  if (!response.ok) throw new Error(`the registry refused compatibility ${compatibility} for ${subject}: ${response.status} ${await response.text()}`);
}
