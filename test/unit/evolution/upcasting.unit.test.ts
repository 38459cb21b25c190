import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSchemaFile, loadSchemas } from '../../../src/messaging/schemaCatalog.ts';
import { createUpcasting } from '../../../src/messaging/upcasting.ts';
import { libraryV2, renameRetitled, splitAuthor } from '../../fixtures/library/v2.ts';

const avroDir = path.resolve(import.meta.dirname, '../../fixtures/library/avro-v2');
const v1 = (type: string) => loadSchemaFile(path.resolve(import.meta.dirname, `../../fixtures/library/avro-v1/${type}.avsc`));

// Events as v1 recorded them (the shape in the log's jsonb and on the topic).
const recorded = {
  BookAdded: { book_uuid: 'b1', title: 'Emma', author: 'Jane Austen' },
  BookShelved: { book_uuid: 'b1', shelf: 'A3', floor: 2 },
  BookRetitled: { book_uuid: 'b1', title: 'Emma: A Novel' },
};

describe('upcasters (pure functions from an old shape to today\'s)', () => {
  it('splits the author at the last space, keeping one-word names whole', () => {
    expect(splitAuthor.upcast(recorded.BookAdded)).toEqual({ book_uuid: 'b1', title: 'Emma', author_first: 'Jane', author_last: 'Austen' });
    expect(splitAuthor.upcast({ ...recorded.BookAdded, author: 'Ursula K. Le Guin' })).toMatchObject({ author_first: 'Ursula K. Le', author_last: 'Guin' });
    expect(splitAuthor.upcast({ ...recorded.BookAdded, author: ' Homer ' })).toMatchObject({ author_first: 'Homer', author_last: '' });
  });

  it('renames BookRetitled to TitleChanged', () => {
    expect(renameRetitled.toType).toBe('TitleChanged');
    expect(renameRetitled.upcast(recorded.BookRetitled)).toEqual(recorded.BookRetitled);
  });
});

describe('createUpcasting: recorded v1 events in the v2 shape', () => {
  const upcasting = createUpcasting(avroDir, [libraryV2], loadSchemas(avroDir));

  it('applies the upcaster declared for exactly that writer schema', () => {
    expect(upcasting.toCurrent(v1('BookAdded'), recorded.BookAdded)).toEqual({
      typeName: 'BookAdded',
      data: { book_uuid: 'b1', title: 'Emma', author_first: 'Jane', author_last: 'Austen' },
    });
    expect(upcasting.toCurrent(v1('BookRetitled'), recorded.BookRetitled)).toEqual({ typeName: 'TitleChanged', data: recorded.BookRetitled });
  });

  it('resolves compatible changes by Avro alone: an alias, a removed field, a field added with a default', () => {
    expect(upcasting.toCurrent(v1('BookShelved'), recorded.BookShelved)).toEqual({
      typeName: 'BookShelved',
      data: { book_uuid: 'b1', location: 'A3', section: 'general' },
    });
  });

  it('refuses an upcaster whose output does not fit today\'s schema', () => {
    const broken = createUpcasting(avroDir, [{ ...libraryV2, upcasters: [{ ...splitAuthor, upcast: (d: Record<string, unknown>) => d }] }], loadSchemas(avroDir));
    expect(() => broken.toCurrent(v1('BookAdded'), recorded.BookAdded)).toThrow(/does not fit its schema: .*author_first: missing/);
  });
});
