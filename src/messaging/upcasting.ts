import path from 'node:path';
import type avro from 'avsc';
import type { Domain, Upcaster } from '../core/index.ts';
import { PoisonMessage } from './errors.ts';
import { plainData } from './plainData.ts';
import { fingerprintOf, loadSchemaFile, schemaProblems, type MessageSchema } from './schemaCatalog.ts';

export interface CurrentShape {
  readonly typeName: string;
  readonly data: Record<string, unknown>;
}

export interface Upcasting {
  /** Turns data written with `writer` into today's shape: an upcaster when one is declared, Avro resolution otherwise. */
  toCurrent(writer: avro.Type, data: Record<string, unknown>): CurrentShape;
  /** The upcaster declared for data written with this schema, if any. */
  upcasterFor(writer: avro.Type): Upcaster | undefined;
}

const typeNames = new WeakMap<avro.Type, string>();

/** A type's name without its namespace (test.Booked → Booked), worked out once per type: every message's writer is asked. */
export function typeNameOf(type: avro.Type): string {
  let name = typeNames.get(type);
  if (name === undefined) {
    name = (type.name ?? '').split('.').pop() ?? '';
    typeNames.set(type, name);
  }
  return name;
}

export function createUpcasting(avroDir: string, domains: readonly Pick<Domain, 'name' | 'upcasters'>[], schemas: Map<string, MessageSchema>): Upcasting {
  const upcasters = new Map<string, Upcaster>();
  for (const domain of domains) {
    for (const upcaster of domain.upcasters ?? []) {
      const old = loadSchemaFile(path.resolve(avroDir, upcaster.fromSchema));
      const target = upcaster.toType ?? typeNameOf(old);
      if (!schemas.has(target)) throw new Error(`the upcaster from ${upcaster.fromSchema} in ${domain.name} targets ${target}, which has no schema in ${avroDir}`);
      upcasters.set(fingerprintOf(old), upcaster);
    }
  }
  const resolvers = new Map<string, avro.Resolver>();

  return {
    upcasterFor: (writer) => upcasters.get(fingerprintOf(writer)),

    toCurrent(writer, data) {
      const writerName = typeNameOf(writer);
      const fingerprint = fingerprintOf(writer);
      const upcaster = upcasters.get(fingerprint);
      if (upcaster) {
        const typeName = upcaster.toType ?? writerName;
        const upcast = upcaster.upcast(data);
        const problems = schemaProblems(schemas.get(typeName) as MessageSchema, upcast);
        // The written data may be hostile as well as the upcaster wrong: either way this message cannot
        // reach today's shape, and one message must not stall those behind it.
        if (problems.length > 0) {
          throw new PoisonMessage('UNDECODABLE', `the upcaster from ${upcaster.fromSchema} made a ${typeName} that does not fit its schema: ${problems.join('; ')}`);
        }
        return { typeName, data: upcast };
      }
      const reader = schemas.get(writerName);
      if (!reader || fingerprintOf(reader.type) === fingerprint) return { typeName: writerName, data };
      let resolver = resolvers.get(fingerprint);
      try {
        resolver ??= reader.type.createResolver(writer);
        resolvers.set(fingerprint, resolver);
        const resolved = reader.type.fromBuffer(writer.toBuffer(data), resolver);
        return { typeName: writerName, data: plainData(reader.type, resolved) as Record<string, unknown> };
      } catch (error) {
        throw new PoisonMessage('UNDECODABLE', `a ${writerName} written with an older schema cannot be read as today's (${(error as Error).message}); declare an upcaster for it`, { cause: error });
      }
    },
  };
}
