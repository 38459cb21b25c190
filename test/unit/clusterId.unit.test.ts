import { describe, expect, it } from 'vitest';
import { newClusterId } from '../../src/stack/clusterId.ts';

describe('a new KRaft cluster id', () => {
  it('is 22 URL-safe base64 characters and never starts with "-", which the storage tool would take for an option', () => {
    const ids = Array.from({ length: 5_000 }, newClusterId);
    expect(ids.every((id) => /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
