import avro from 'avsc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logicalTypes } from '../../../src/messaging/logicalTypes.ts';
import { plainData } from '../../../src/messaging/plainData.ts';

// Every kind of Avro type, nested: what a writer schema from any producer may hold.
const everything = avro.Type.forSchema(
  {
    type: 'record',
    name: 'Everything',
    fields: [
      { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'n', type: 'int' },
      { name: 'big', type: 'long' },
      { name: 'ratio', type: 'float' },
      { name: 'share', type: 'double' },
      { name: 'flag', type: 'boolean' },
      { name: 'nothing', type: 'null' },
      { name: 'text', type: 'string' },
      { name: 'raw', type: 'bytes' },
      { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 4 } },
      { name: 'colour', type: { type: 'enum', name: 'Colour', symbols: ['RED', 'GREEN'] } },
      { name: 'maybe', type: ['null', 'string'], default: null },
      { name: 'either', type: ['int', { type: 'record', name: 'Inner', fields: [{ name: 'x', type: 'double' }] }] },
      { name: 'list', type: { type: 'array', items: 'Inner' } },
      { name: 'doubles', type: { type: 'array', items: 'double' } },
      { name: 'byName', type: { type: 'map', values: 'Inner' } },
      { name: 'nested', type: { type: 'record', name: 'Nested', fields: [{ name: 'inner', type: 'Inner' }, { name: 'tags', type: { type: 'array', items: 'string' } }] } },
    ],
  },
  { logicalTypes, wrapUnions: 'auto' },
);

const awkwardNumbers = fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0, 1.5, -2.25e300, Number.MIN_VALUE);

describe('plainData', () => {
  it('gives what a JSON round trip gives, for random values of every kind of type', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.integer(), awkwardNumbers, awkwardNumbers, fc.string({ unit: 'binary', maxLength: 6 }), (id, n, ratio, share, text) => {
        const random = everything.random() as unknown as Record<string, unknown>;
        const value = everything.fromBuffer(everything.toBuffer({ ...random, id, at: Math.abs(n), n, ratio: Math.fround(ratio), share, text, doubles: [share, ratio, -0] }));
        const plain = plainData(everything, value);
        expect(plain).toStrictEqual(JSON.parse(JSON.stringify(value)));
        expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
      }),
      { numRuns: 2_000 },
    );
  });

  it('makes a field named __proto__ a field, as JSON.parse does', () => {
    const type = avro.Type.forSchema({ type: 'record', name: 'Odd', fields: [{ name: '__proto__', type: 'string' }, { name: 'b', type: 'int' }] });
    const value = type.fromBuffer(type.toBuffer({ ['__proto__']: 'x', b: 1 }));
    expect(plainData(type, value)).toStrictEqual(JSON.parse(JSON.stringify(value)));
  });
});
