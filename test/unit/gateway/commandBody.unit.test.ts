import path from 'node:path';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { rosterDomain } from '../../../demo/roster/index.ts';
import { commandFromBody } from '../../../src/gateway/commandIntake.ts';
import { HttpError } from '../../../src/gateway/http.ts';
import { createCodec } from '../../../src/messaging/codec.ts';
import { loadSchemas } from '../../../src/messaging/schemaCatalog.ts';
import { createUpcasting } from '../../../src/messaging/upcasting.ts';

const avroDir = path.resolve(import.meta.dirname, '../../../avro');
const schemas = loadSchemas(avroDir);
// The gateway checks data with the local schemas alone: no registry is asked before a refusal.
const codec = createCodec(undefined as unknown as SchemaRegistry, schemas, new Map(), createUpcasting(avroDir, [], schemas));
const runtime = {
  codec,
  config: { domains: [rosterDomain] },
  domainOfCommand: (type: string) => (rosterDomain.commandTypes.includes(type as never) ? rosterDomain : undefined),
} as unknown as Parameters<typeof commandFromBody>[0];

const roster = '0b6f2a52-8d3e-4c1a-9f4e-2a3b4c5d6e7f';
const period = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

function refusal(data: Record<string, unknown>, metadata?: Record<string, unknown>): readonly string[] {
  try {
    commandFromBody(runtime, { commandType: 'AddPeriod', aggregateUuid: roster, data, ...(metadata ? { metadata } : {}) });
  } catch (error) {
    if (error instanceof HttpError && error.status === 400) return error.problems;
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('POST /commands refuses, with the field named, what the worker could not store', () => {
  it.each([
    ['a uuid field holding no uuid', { period_uuid: 'not-a-uuid' }, 'data.period_uuid: "not-a-uuid" is not a uuid'],
    ['a NUL in a name', { name: 'a\u0000b' }, 'data.name: holds the character U+0000, which Postgres cannot store'],
    ['a lone surrogate in a name', { name: '\ud800' }, 'data.name: holds a lone UTF-16 surrogate, which Postgres cannot store'],
  ])('%s', (_case, change, problem) => {
    expect(refusal({ roster_uuid: roster, period_uuid: period, name: 'P1', ...change })).toEqual([problem]);
  });

  it('a NUL in metadata', () => {
    expect(refusal({ roster_uuid: roster, period_uuid: period, name: 'P1' }, { issuedBy: 'x\u0000' })).toEqual([
      'metadata.issuedBy: holds the character U+0000, which Postgres cannot store',
    ]);
  });

  it('lets a sound body through', () => {
    expect(commandFromBody(runtime, { commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: period, name: 'P1' } }).aggregateUuid).toBe(roster);
  });
});
