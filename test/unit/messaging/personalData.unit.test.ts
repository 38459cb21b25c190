import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Domain } from '../../../src/core/index.ts';
import { loadSchemas } from '../../../src/messaging/schemaCatalog.ts';
import { refuseSnapshotsOfPersonalData } from '../../../src/runtime.ts';
import { ERASED, newSubjectKey, seal, sealFields, unseal, unsealFields, type PersonalFields } from '../../../src/messaging/personalData.ts';

const subject = '0b6f2a52-8d3e-4c1a-9f4e-2a3b4c5d6e7f';
const uuidField = { name: 'student_uuid', type: { type: 'string', logicalType: 'uuid' } };

function schemaDir(record: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamfold-personal-'));
  fs.writeFileSync(path.join(dir, 'NameChanged.avsc'), JSON.stringify({ type: 'record', name: 'NameChanged', namespace: 'test', ...record }));
  return dir;
}

describe('sealing personal values', () => {
  const key = newSubjectKey();

  it('seals to an sfenc:v1 string that opens with the key, a fresh IV each time', () => {
    const once = seal('Ada', key);
    expect(once).toMatch(/^sfenc:v1:[A-Za-z0-9_-]+$/);
    expect(once).not.toContain('Ada');
    expect(seal('Ada', key)).not.toBe(once);
    expect(unseal(once, key)).toBe('Ada');
  });

  it('reads as the erased placeholder without the key, and leaves plaintext of old data as it is', () => {
    expect(ERASED).toBe('[erased]');
    expect(unseal(seal('Ada', key), null)).toBe(ERASED);
    expect(unseal('Ada', null)).toBe('Ada');
  });

  it('refuses a value sealed with another key (GCM authenticates)', () => {
    expect(() => unseal(seal('Ada', key), newSubjectKey())).toThrow();
  });

  it('seals only the personal fields of a subject with a key, and writes a forgotten subject\'s as erased', () => {
    const personal: PersonalFields = { subject: 'student_uuid', fields: ['first', 'middle'] };
    const data = { student_uuid: subject, first: 'Ada', middle: null, last: 'L' };
    const sealed = sealFields(personal, data, new Map([[subject, key]]));
    expect(sealed).toMatchObject({ student_uuid: subject, middle: null, last: 'L' });
    expect(String(sealed.first)).toMatch(/^sfenc:v1:/);
    expect(unsealFields(personal, sealed, new Map([[subject, key]]))).toEqual(data);
    expect(unsealFields(personal, sealed, new Map([[subject, null]]))).toEqual({ ...data, first: ERASED });
    expect(sealFields(personal, data, new Map([[subject, null]]))).toEqual({ ...data, first: ERASED });
    expect(sealFields(personal, { ...data, student_uuid: 'not a uuid' }, new Map())).toEqual({ ...data, student_uuid: 'not a uuid' });
  });
});

describe('personal fields in the schemas', () => {
  it('reads the personal fields and the subject of a record', () => {
    const dir = schemaDir({ subject: 'student_uuid', fields: [uuidField, { name: 'first', type: 'string', personal: true }, { name: 'middle', type: ['null', 'string'], personal: true }] });
    expect(loadSchemas(dir).get('NameChanged')?.personal).toEqual({ subject: 'student_uuid', fields: ['first', 'middle'] });
  });

  it('refuses personal fields without a subject, naming the file', () => {
    const dir = schemaDir({ fields: [uuidField, { name: 'first', type: 'string', personal: true }] });
    expect(() => loadSchemas(dir)).toThrow(/NameChanged\.avsc: it has personal fields \(first\) but no "subject"/);
  });

  it('refuses a subject that is not a uuid field, and a personal field that is not a string', () => {
    expect(() => loadSchemas(schemaDir({ subject: 'first', fields: [uuidField, { name: 'first', type: 'string', personal: true }] }))).toThrow(/NameChanged\.avsc: its "subject" first is not a uuid field/);
    expect(() => loadSchemas(schemaDir({ subject: 'student_uuid', fields: [uuidField, { name: 'age', type: 'int', personal: true }] }))).toThrow(/NameChanged\.avsc: the personal field age must be a string/);
  });
});

describe('snapshots of personal data', () => {
  it('refuses a snapshotting domain whose types have personal fields, and lets one without them be', () => {
    const dir = schemaDir({ subject: 'student_uuid', fields: [uuidField, { name: 'first', type: 'string', personal: true }] });
    const schemas = loadSchemas(dir);
    const domain = (snapshots: boolean) =>
      ({ name: 'students', aggregateType: 'Student', commandTypes: [], eventTypes: ['NameChanged'], decider: {}, ...(snapshots ? { snapshots: { every: 10, version: '1' } } : {}) }) as unknown as Domain;
    expect(() => refuseSnapshotsOfPersonalData([domain(true)], schemas)).toThrow(/the students domain snapshots its state, but NameChanged have personal fields/);
    expect(() => refuseSnapshotsOfPersonalData([domain(false)], schemas)).not.toThrow();
  });
});
