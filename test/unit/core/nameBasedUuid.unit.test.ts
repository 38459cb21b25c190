import fc from 'fast-check';
import { v5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { uuidV5 } from '../../../src/core/nameBasedUuid.ts';

describe('uuidV5', () => {
  it('makes the uuid the uuid package makes, for any name and namespace', () => {
    const namespaces = fc.oneof(fc.uuid(), fc.uuid().map((u) => u.toUpperCase()));
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), namespaces, (name, namespace) => {
        expect(uuidV5(name, namespace)).toBe(v5(name, namespace));
      }),
      { numRuns: 5_000 },
    );
  });

  // Event uuids already in logs and dedup tables were made this way: a redelivered command must name its events the same.
  it('names the first event of a command as the worker always has', () => {
    expect(uuidV5('event-0', '0b6f2a52-8d3e-4c1a-9f4e-2a3b4c5d6e7f')).toBe('ef0431dd-bbff-5461-a6cf-415589f40d90');
  });

  it('refuses a namespace that is not a uuid', () => {
    expect(() => uuidV5('event-0', 'not-a-uuid')).toThrow('is not a uuid');
  });
});
