import avro from 'avsc';
import { isUuid } from '../core/index.ts';

/**
 * Avro logical types streamfold enforces. Values stay JSON (a uuid is its string, a timestamp
 * its number), because deciders and projections see plain data; the logical type only narrows
 * what a field accepts. A reader that does not know a logical type reads the underlying type,
 * so adding one to a field keeps every older writer readable.
 */
class UuidType extends avro.types.LogicalType {
  override _fromValue(value: unknown) {
    return value;
  }
  override _toValue(value: unknown) {
    return isUuid(value) ? value : undefined;
  }
  override _resolve(type: avro.Type) {
    if (avro.Type.isType(type, 'string', 'logical:uuid')) return (value: unknown) => value;
    return undefined;
  }
}

/** Milliseconds (or microseconds) since the epoch as a number, within the range a Date can hold. */
// Annotated: declaration emit cannot name an anonymous class with protected members.
function timestampType(unitsPerMs: number): typeof avro.types.LogicalType {
  const limit = 8.64e15 * unitsPerMs;
  return class TimestampType extends avro.types.LogicalType {
    override _fromValue(value: unknown) {
      return value;
    }
    override _toValue(value: unknown) {
      return typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) <= limit ? value : undefined;
    }
    override _resolve(type: avro.Type) {
      if (avro.Type.isType(type, 'long', 'int', 'logical:timestamp-millis', 'logical:timestamp-micros')) return (value: unknown) => value;
      return undefined;
    }
  };
}

export const logicalTypes = {
  uuid: UuidType,
  'timestamp-millis': timestampType(1),
  'timestamp-micros': timestampType(1000),
};

/** What a value of a logical type must be, for a problem that names the field. */
export function logicalTypeExpectation(type: avro.Type): string | undefined {
  switch (type.typeName) {
    case 'logical:uuid':
      return 'is not a uuid';
    case 'logical:timestamp-millis':
      return 'is not a timestamp (whole milliseconds since 1970-01-01T00:00:00Z)';
    case 'logical:timestamp-micros':
      return 'is not a timestamp (whole microseconds since 1970-01-01T00:00:00Z)';
    default:
      return undefined;
  }
}

/** Parses a schema with the logical types enforced. */
export const parseSchema = (schema: unknown): avro.Type => avro.Type.forSchema(schema as avro.Schema, { logicalTypes });

/**
 * The value with every `uuid`-typed string in lowercase, the form Postgres gives back: a uuid
 * written in capitals by one producer and in lowercase by another names the same aggregate, so
 * keys, decisions and the state cache must see one spelling. Values that do not fit are left as
 * they are, for the schema check to name. A record with nothing to change is returned as it is.
 */
export function withCanonicalUuids(type: avro.Type, value: unknown): unknown {
  if (type.typeName === 'logical:uuid') return isUuid(value) ? value.toLowerCase() : value;
  if (value === null || typeof value !== 'object') return value;
  if (type instanceof avro.types.RecordType) {
    const record = value as Record<string, unknown>;
    // Copied only when a field changes: nearly every producer writes uuids in lowercase already.
    let out: Record<string, unknown> | undefined;
    for (const field of type.fields) {
      if (!(field.name in record)) continue;
      const canonical = withCanonicalUuids(field.type, record[field.name]);
      if (canonical !== record[field.name]) (out ??= { ...record })[field.name] = canonical;
    }
    return out ?? record;
  }
  if (type instanceof avro.types.ArrayType && Array.isArray(value)) return value.map((item) => withCanonicalUuids(type.itemsType, item));
  if (type instanceof avro.types.MapType) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withCanonicalUuids(type.valuesType, item)]));
  }
  if (type instanceof avro.types.UnwrappedUnionType) {
    const branch = type.types.find((t) => t.isValid(value));
    return branch ? withCanonicalUuids(branch, value) : value;
  }
  return value;
}
