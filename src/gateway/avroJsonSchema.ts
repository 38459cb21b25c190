/** A JSON Schema (the OpenAPI 3.1 dialect) for Avro data as the gateway accepts it: plain JSON. */
export type JsonSchema = Record<string, unknown>;

type Avro = string | Avro[] | { type: Avro; [key: string]: unknown };

const primitives: Record<string, JsonSchema> = {
  null: { type: 'null' },
  boolean: { type: 'boolean' },
  int: { type: 'integer', format: 'int32' },
  long: { type: 'integer', format: 'int64' },
  float: { type: 'number', format: 'float' },
  double: { type: 'number', format: 'double' },
  string: { type: 'string' },
  bytes: { type: 'string', description: 'bytes, as a string of code points 0-255' },
};

const logical: Record<string, JsonSchema> = {
  uuid: { format: 'uuid' },
  'timestamp-millis': { description: 'milliseconds since the epoch' },
  'timestamp-micros': { description: 'microseconds since the epoch' },
  date: { description: 'days since the epoch' },
};

/**
 * Converts one Avro schema (parsed JSON) to JSON Schema. Named types seen earlier in the same
 * schema are inlined where referenced; a field without a default is required, as Avro reads it.
 */
export function avroToJsonSchema(schema: Avro, named = new Map<string, JsonSchema>(), namespace?: string): JsonSchema {
  if (typeof schema === 'string') {
    const primitive = primitives[schema];
    if (primitive) return { ...primitive };
    return named.get(schema) ?? named.get(`${namespace}.${schema}`) ?? {};
  }
  if (Array.isArray(schema)) {
    const branches = schema.map((s) => avroToJsonSchema(s, named, namespace));
    return branches.length === 1 ? (branches[0] as JsonSchema) : { anyOf: branches };
  }
  const doc = typeof schema.doc === 'string' ? { description: schema.doc } : {};
  const ns = typeof schema.namespace === 'string' ? schema.namespace : namespace;
  const remember = (out: JsonSchema) => {
    if (typeof schema.name === 'string') {
      named.set(schema.name, out);
      if (ns) named.set(`${ns}.${schema.name}`, out);
    }
    return out;
  };
  switch (schema.type) {
    case 'record':
    case 'error': {
      const fields = (schema.fields as { name: string; type: Avro; doc?: string; default?: unknown }[]) ?? [];
      const out: JsonSchema = { type: 'object', title: schema.name, ...doc, additionalProperties: false, properties: {}, required: [] };
      remember(out);
      for (const field of fields) {
        const property = avroToJsonSchema(field.type, named, ns);
        if (field.doc) property.description = field.doc;
        if ('default' in field) property.default = field.default;
        (out.properties as Record<string, JsonSchema>)[field.name] = property;
        if (!('default' in field)) (out.required as string[]).push(field.name);
      }
      return out;
    }
    case 'enum':
      return remember({ type: 'string', enum: schema.symbols, ...doc });
    case 'fixed':
      return remember({ type: 'string', description: `${schema.size} bytes`, ...doc });
    case 'array':
      return { type: 'array', items: avroToJsonSchema(schema.items as Avro, named, ns), ...doc };
    case 'map':
      return { type: 'object', additionalProperties: avroToJsonSchema(schema.values as Avro, named, ns), ...doc };
    default: {
      const base = avroToJsonSchema(schema.type, named, ns);
      const extra = typeof schema.logicalType === 'string' ? (logical[schema.logicalType] ?? {}) : {};
      return { ...base, ...extra, ...doc };
    }
  }
}
