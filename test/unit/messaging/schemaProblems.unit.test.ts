import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSchemas, schemaProblems, type MessageSchema } from '../../../src/messaging/schemaCatalog.ts';
import { toStorableText, unstorableTextProblems } from '../../../src/core/index.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamfold-schemas-'));
fs.writeFileSync(
  path.join(dir, 'Booked.avsc'),
  JSON.stringify({
    type: 'record',
    name: 'Booked',
    namespace: 'test',
    fields: [
      { name: 'room_uuid', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'note', type: 'string' },
    ],
  }),
);
const booked = loadSchemas(dir).get('Booked') as MessageSchema;
const sound = { room_uuid: '0b6f2a52-8d3e-4c1a-9f4e-2a3b4c5d6e7f', at: 1_764_884_785_000, note: 'ok' };

describe('schema problems with logical types', () => {
  it('accepts data that fits', () => {
    expect(schemaProblems(booked, sound)).toEqual([]);
  });

  it('names a uuid field that holds no uuid', () => {
    expect(schemaProblems(booked, { ...sound, room_uuid: 'not-a-uuid' })).toEqual(['room_uuid: "not-a-uuid" is not a uuid']);
  });

  it('names a timestamp that is not whole milliseconds in a Date\'s range', () => {
    expect(schemaProblems(booked, { ...sound, at: 1.5 })[0]).toMatch(/^at: 1.5 is not a timestamp/);
    expect(schemaProblems(booked, { ...sound, at: 9e15 })[0]).toMatch(/^at: .* is not a timestamp/);
  });

  it.each([
    ['a NUL', 'a\u0000b', 'U\\+0000'],
    ['a lone surrogate', '\ud800', 'lone UTF-16 surrogate'],
  ])('names a string with %s, which Postgres cannot store', (_case, note, why) => {
    const problems = schemaProblems(booked, { ...sound, note });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^note: .*${why}`));
  });

  it('cuts a 500 kB value short in the problem', () => {
    const [problem] = schemaProblems(booked, { ...sound, room_uuid: 'x'.repeat(500_000) });
    expect(problem?.length).toBeLessThan(200);
  });

  it('names an unknown field, quoting a hostile key', () => {
    expect(schemaProblems(booked, { ...sound, 'k\u0000': 1 })).toContain('"k\\u0000": not a field of Booked');
  });
});

describe('storable text', () => {
  it('finds unstorable text in nested values and keys', () => {
    expect(unstorableTextProblems({ a: ['ok', 'b\u0000'], 'c\ud800': 'd' })).toEqual([
      'a.1: holds the character U+0000, which Postgres cannot store',
      '"c\\ud800": the key holds a lone UTF-16 surrogate, which Postgres cannot store',
    ]);
  });

  it('finds some in any JSON value that holds U+0000 or a lone surrogate, and none in one that does not', () => {
    // Strings of any UTF-16 code units, so lone surrogates and U+0000 come up, as keys too.
    const text = fc.string({ unit: 'binary', maxLength: 8 });
    const values = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }).chain((v) => fc.dictionary(text, fc.constant(v), { maxKeys: 2 }));
    // JSON.stringify escapes U+0000 and each lone surrogate, and writes a surrogate pair as itself.
    const unstorable = (json: string) => /\\u0000|\\ud[89a-f][0-9a-f]{2}/.test(json);
    fc.assert(
      fc.property(values, (value) => {
        expect(unstorableTextProblems(value).length > 0).toBe(unstorable(JSON.stringify(value)));
      }),
      { numRuns: 5_000 },
    );
  });

  it('replaces what Postgres refuses by U+FFFD and keeps the rest', () => {
    expect(toStorableText({ a: 'x\u0000y', b: ['\udc00z'], n: 3 })).toEqual({ a: 'x\uFFFDy', b: ['\uFFFDz'], n: 3 });
    expect(unstorableTextProblems(toStorableText({ a: 'x\u0000\ud800' }))).toEqual([]);
  });
});

describe('uuids in one spelling', () => {
  it('lowercases uuid-typed fields, and only those', async () => {
    const { withCanonicalUuids } = await import('../../../src/messaging/logicalTypes.ts');
    const upper = '0B6F2A52-8D3E-4C1A-9F4E-2A3B4C5D6E7F';
    expect(withCanonicalUuids(booked.type, { ...sound, room_uuid: upper, note: upper })).toEqual({ ...sound, note: upper });
    expect(withCanonicalUuids(booked.type, { ...sound, room_uuid: 'NOT-A-UUID' })).toEqual({ ...sound, room_uuid: 'NOT-A-UUID' });
  });
});
