import avro from 'avsc';

const jsonRoundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/**
 * What `JSON.parse(JSON.stringify(value))` gives for a value avsc decoded with `type`: plain
 * objects where avsc makes record class instances, which is what deciders and projections get.
 * Scalars, records and arrays are walked along the type instead of written out as text and parsed
 * back, once per message; any other object (a map, a wrapped union, bytes) takes the round trip
 * itself. test/unit/messaging/plainData.unit.test.ts holds the two equal.
 */
export function plainData(type: avro.Type, value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null; // JSON writes -0 as 0 and NaN as null
  if (value === null || typeof value !== 'object') return value;
  if (type instanceof avro.types.RecordType) {
    const record = value as Record<string, unknown>;
    const plain: Record<string, unknown> = {};
    for (const field of type.fields) {
      // Assigning __proto__ would set the prototype, where JSON.parse makes a field of that name.
      if (field.name === '__proto__') return jsonRoundTrip(value);
      const fieldValue = record[field.name];
      if (fieldValue !== undefined) plain[field.name] = plainData(field.type, fieldValue);
    }
    return plain;
  }
  if (type instanceof avro.types.ArrayType && Array.isArray(value)) return value.map((item) => (item === undefined ? null : plainData(type.itemsType, item)));
  return jsonRoundTrip(value);
}
