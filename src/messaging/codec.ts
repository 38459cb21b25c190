import type avro from 'avsc';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { InvalidMessage, MessagingError, PoisonMessage } from './errors.ts';
import { schemaProblems, type MessageSchema } from './schemaCatalog.ts';
import { typeNameOf, type Upcasting } from './upcasting.ts';
import { withCanonicalUuids } from './logicalTypes.ts';
import { plainData } from './plainData.ts';
import type { PersonalFields } from './personalData.ts';

export interface Decoded {
  /** Today's type name (an upcaster may have renamed the written one). */
  readonly typeName: string;
  /** The type name the writer used; Kafka headers carry this one. */
  readonly writerTypeName: string;
  readonly schemaId: number;
  /** The data in today's shape. */
  readonly data: Record<string, unknown>;
}

export interface Codec {
  /** Every failing field of data against its type's schema; empty when it fits. */
  problems(typeName: string, data: unknown): string[];
  /** The data with its uuid-typed fields in lowercase (withCanonicalUuids). */
  canonical(typeName: string, data: Record<string, unknown>): Record<string, unknown>;
  encode(typeName: string, data: Record<string, unknown>): { value: Buffer; schemaId: number };
  decode(value: Buffer | null): Promise<Decoded>;
  /** Data stored with a writer schema id (the event log's), in today's shape. */
  currentShape(typeName: string, schemaId: number, data: Record<string, unknown>): Promise<{ typeName: string; data: Record<string, unknown> }>;
  schemaIdOf(typeName: string): number;
  writerSchema(schemaId: number): Promise<avro.Type>;
  /** The type's personal fields (see personalData.ts); undefined when it has none. */
  personalFields?(typeName: string): PersonalFields | undefined;
}

const MAGIC_BYTE = 0;

/**
 * Avro in the Confluent wire format (magic byte, 4-byte schema id, Avro binary). Encoding uses
 * the local schema and its registry id; decoding reads with the writer's schema, fetched by id
 * and cached, then brings the data to today's shape (Avro resolution, or a declared upcaster).
 */
export function createCodec(registry: SchemaRegistry, schemas: Map<string, MessageSchema>, ids: Map<string, number>, upcasting: Upcasting): Codec {
  const writerTypes = new Map<number, avro.Type>();

  function schemaOf(typeName: string): MessageSchema {
    const schema = schemas.get(typeName);
    if (!schema) throw new MessagingError('UNKNOWN_MESSAGE_TYPE', `no Avro schema for ${typeName} in the avro folder`, false);
    return schema;
  }

  async function writerSchema(schemaId: number): Promise<avro.Type> {
    const cached = writerTypes.get(schemaId);
    if (cached) return cached;
    let type: avro.Type;
    try {
      type = (await registry.getSchema(schemaId)) as unknown as avro.Type;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404) throw new PoisonMessage('UNKNOWN_SCHEMA_ID', `schema id ${schemaId} is not in the registry`, { cause: error });
      // Anything else (refused connection, 5xx, and the 400 an offline registry can give) is transient.
      throw new MessagingError('REGISTRY_UNAVAILABLE', `the schema registry could not give schema ${schemaId}: ${(error as Error).message}`, true, {
        cause: error,
      });
    }
    writerTypes.set(schemaId, type);
    return type;
  }

  const schemaIdOf = (typeName: string) => {
    const id = ids.get(typeName);
    if (id === undefined) throw new MessagingError('SCHEMA_NOT_REGISTERED', `${typeName} has no registry id; run \`streamfold schemas register\``, false);
    return id;
  };

  return {
    problems: (typeName, data) => schemaProblems(schemaOf(typeName), data),
    canonical: (typeName, data) => withCanonicalUuids(schemaOf(typeName).type, data) as Record<string, unknown>,
    schemaIdOf,
    writerSchema,
    personalFields: (typeName) => schemas.get(typeName)?.personal,

    encode(typeName, data) {
      const schema = schemaOf(typeName);
      const problems = schemaProblems(schema, data);
      if (problems.length > 0) throw new InvalidMessage(typeName, problems);
      const schemaId = schemaIdOf(typeName);
      const header = Buffer.alloc(5);
      header.writeUInt8(MAGIC_BYTE, 0);
      header.writeInt32BE(schemaId, 1);
      return { value: Buffer.concat([header, schema.type.toBuffer(data)]), schemaId };
    },

    async decode(value) {
      if (!value || value.length < 5 || value.readUInt8(0) !== MAGIC_BYTE) {
        throw new PoisonMessage('NOT_WIRE_FORMAT', 'the value is not Avro in the Confluent wire format (no magic byte and schema id)');
      }
      const schemaId = value.readInt32BE(1);
      const writer = await writerSchema(schemaId);
      let written: Record<string, unknown>;
      try {
        // avsc returns record class instances; the domain wants plain JSON data.
        written = plainData(writer, writer.fromBuffer(value.subarray(5))) as Record<string, unknown>;
      } catch (error) {
        throw new PoisonMessage('UNDECODABLE', `the bytes do not decode with schema ${schemaId}: ${(error as Error).message}`, { cause: error });
      }
      const writerTypeName = typeNameOf(writer);
      const current = upcasting.toCurrent(writer, written);
      const schema = schemas.get(current.typeName);
      return { typeName: current.typeName, data: schema ? (withCanonicalUuids(schema.type, current.data) as Record<string, unknown>) : current.data, writerTypeName, schemaId };
    },

    async currentShape(typeName, schemaId, data) {
      // The common case costs nothing: written with today's schema.
      if (ids.get(typeName) === schemaId) return { typeName, data };
      return upcasting.toCurrent(await writerSchema(schemaId), data);
    },
  };
}
