import fs from 'node:fs';
import avro from 'avsc';

/**
 * What a producer written in another language does, with no streamfold code: read the `.avsc`,
 * look up its registry id, and frame the Avro binary in the Confluent wire format.
 */
export interface ForeignSchema {
  /** The record's full name, which is also its registry subject (RecordNameStrategy). */
  readonly subject: string;
  readonly id: number;
  /** A plain avsc type: logical types it does not know (uuid) are read as their underlying string. */
  readonly type: avro.Type;
}

/** Looks the schema up under its subject, as any Confluent-compatible client does before producing. */
export async function foreignSchema(registryUrl: string, avscFile: string): Promise<ForeignSchema> {
  const definition = JSON.parse(fs.readFileSync(avscFile, 'utf8')) as { name: string; namespace?: string };
  const subject = definition.namespace ? `${definition.namespace}.${definition.name}` : definition.name;
  const response = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(definition) }),
  });
  if (!response.ok) throw new Error(`the registry has no ${subject} matching ${avscFile}: ${response.status} ${await response.text()}`);
  const { id } = (await response.json()) as { id: number };
  return { subject, id, type: avro.Type.forSchema(definition as avro.Schema) };
}

/** Magic byte 0, the schema id as a 4-byte big-endian integer, then the Avro binary. */
export function wireFormat(schemaId: number, avroBinary: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, avroBinary]);
}
