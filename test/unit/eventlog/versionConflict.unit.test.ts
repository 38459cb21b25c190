import { describe, expect, it } from 'vitest';
import { VersionConflict } from '../../../src/core/index.ts';
import { versionConflictOf } from '../../../src/eventlog/versionConflict.ts';

const a = '6f0c1a52-3d0e-4e8e-9a57-2f3bde0c7d11';
const b = '0b7e4a3c-1f2d-4c5b-8a9e-7d6c5b4a3f21';
const violation = (detail?: string) => Object.assign(new Error('duplicate key value violates unique constraint "events_stream_version"'), { code: '23505', constraint: 'events_stream_version', detail });

describe('versionConflictOf', () => {
  it('names the stream of the key Postgres reports and the version that stream was decided on', () => {
    const conflict = versionConflictOf(violation(`Key (stream_id, version)=(${b}, 7) already exists.`), new Map([[a, 2n], [b, 5n]]));
    expect(conflict).toBeInstanceOf(VersionConflict);
    expect(conflict).toMatchObject({ code: 'VERSION_CONFLICT', retriable: true, aggregateUuid: b, expectedVersion: 5n });
  });

  it('falls back to the key, then to the only stream written', () => {
    expect(versionConflictOf(violation(`Key (stream_id, version)=(${b}, 7) already exists.`), new Map())).toMatchObject({ aggregateUuid: b, expectedVersion: 6n });
    expect(versionConflictOf(violation(), new Map([[a, 3n]]))).toMatchObject({ aggregateUuid: a, expectedVersion: 3n });
  });

  it('leaves every other error alone', () => {
    expect(versionConflictOf(Object.assign(new Error('x'), { code: '23505', constraint: 'events_event_uuid_key' }), new Map([[a, 1n]]))).toBeUndefined();
    expect(versionConflictOf(Object.assign(new Error('x'), { code: '40001' }), new Map([[a, 1n]]))).toBeUndefined();
    expect(versionConflictOf(new Error('plain'), new Map())).toBeUndefined();
  });
});
