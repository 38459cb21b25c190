import fs from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { CommandInvalid, fold } from '../../../src/core/index.ts';
import {
  albumDecider,
  albumDomain,
  albumRefusalEventTypes,
  type AlbumCommand,
  type AlbumEvent,
} from '../../../demo/album/index.ts';
import { command, deciderSpecification } from '../../../src/testing/deciderSpecification.ts';

const ALBUM = 'album-1';
const RECITER = 'reciter-1';
const ARTWORK = 'https://cdn.example.com/albums/album-1.jpg';

const album = <Type extends AlbumCommand['commandType'], Data extends object>(type: Type, data: Data) =>
  command(type, 'Album', ALBUM, { album_uuid: ALBUM, ...data });
const create = (title: string, year: number) => album('CreateAlbum', { reciter_uuid: RECITER, title, year });
const modify = (title: string | null, year: number | null) => album('ModifyAlbum', { title, year });
const remove = () => album('DeleteAlbum', {});
const uploadArtwork = (artwork_url: string) => album('UploadAlbumArtwork', { artwork_url });

const created = (title = 'Ya Hussain', year = 2019): AlbumEvent => ({
  type: 'AlbumCreated',
  data: { album_uuid: ALBUM, reciter_uuid: RECITER, title, year },
});
const modified = (title: string | null, year: number | null): AlbumEvent => ({
  type: 'AlbumModified',
  data: { album_uuid: ALBUM, title, year },
});
const deleted: AlbumEvent = { type: 'AlbumDeleted', data: { album_uuid: ALBUM } };
const artworkUploaded: AlbumEvent = { type: 'AlbumArtworkUploaded', data: { album_uuid: ALBUM, artwork_url: ARTWORK } };
const alreadyExists: AlbumEvent = { type: 'AlbumAlreadyExists', data: { album_uuid: ALBUM } };
const notFound = (command_type: AlbumCommand['commandType']): AlbumEvent => ({
  type: 'AlbumNotFound',
  data: { album_uuid: ALBUM, command_type },
});

const spec = deciderSpecification(albumDecider);

const scenarios: { name: string; given: AlbumEvent[]; when: AlbumCommand; then: AlbumEvent[] }[] = [
  { name: 'creates an album', given: [], when: create('Ya Hussain', 2019), then: [created()] },
  { name: 'trims the title', given: [], when: create(' Ya Hussain  ', 2019), then: [created()] },
  { name: 'refuses to create an album twice', given: [created()], when: create('Other', 2020), then: [alreadyExists] },
  { name: 'refuses to create a deleted album again', given: [created(), deleted], when: create('Other', 2020), then: [alreadyExists] },
  { name: 'retitles an album', given: [created()], when: modify('Labbaik', null), then: [modified('Labbaik', null)] },
  { name: 'changes the year', given: [created()], when: modify(null, 2020), then: [modified(null, 2020)] },
  { name: 'records only the fields that change', given: [created()], when: modify('Ya Hussain', 2020), then: [modified(null, 2020)] },
  {
    name: 'modifies from the latest details',
    given: [created(), modified(null, 2020)],
    when: modify('Labbaik', 2019),
    then: [modified('Labbaik', 2019)],
  },
  { name: 'refuses to modify an album never created', given: [], when: modify('X', null), then: [notFound('ModifyAlbum')] },
  { name: 'refuses to modify a deleted album', given: [created(), deleted], when: modify('X', null), then: [notFound('ModifyAlbum')] },
  { name: 'deletes an album', given: [created(), artworkUploaded], when: remove(), then: [deleted] },
  { name: 'refuses to delete an album never created', given: [], when: remove(), then: [notFound('DeleteAlbum')] },
  { name: 'refuses to delete a deleted album', given: [created(), deleted], when: remove(), then: [notFound('DeleteAlbum')] },
  { name: 'records uploaded artwork', given: [created()], when: uploadArtwork(ARTWORK), then: [artworkUploaded] },
  {
    name: 'refuses artwork for an album never created',
    given: [alreadyExists],
    when: uploadArtwork(ARTWORK),
    then: [notFound('UploadAlbumArtwork')],
  },
  {
    name: 'refuses artwork for a deleted album',
    given: [created(), deleted],
    when: uploadArtwork(ARTWORK),
    then: [notFound('UploadAlbumArtwork')],
  },
];

describe('album decider', () => {
  it.each(scenarios)('$name', ({ given, when, then }) => spec.given(given).when(when).then(then));

  it('emits nothing for a modification that changes nothing', () => spec.given([created()]).when(modify(null, null)).thenNothing());

  it('emits nothing for a modification to the current details', () =>
    spec.given([created(), modified('Labbaik', null)]).when(modify('Labbaik ', 2019)).thenNothing());

  it.each([
    ['a blank title on create', create('  ', 2019)],
    ['a year that is not a whole number on create', create('Ya Hussain', 2019.5)],
    ['a blank title on modify', modify('', null)],
    ['a year that is not a whole number on modify', modify(null, Number.NaN)],
    ['an artwork address that is not an absolute URL', uploadArtwork('/albums/album-1.jpg')],
  ])('finds %s invalid', (_, when) => spec.given([created()]).when(when).thenThrows(CommandInvalid));

  it('finds a command invalid before looking for the album', () =>
    spec
      .given([])
      .when(uploadArtwork('not a url'))
      .thenThrows(CommandInvalid, (e) => e.message.includes('artwork_url')));

  it('finds a command whose album_uuid is not its aggregate invalid', () =>
    spec
      .given([created()])
      .when({ ...remove(), aggregateUuid: 'album-2' })
      .thenThrows(CommandInvalid, (e) => e.message.includes('album_uuid')));

  it('lists its refusals for the worker', () => {
    expect(albumRefusalEventTypes).toEqual(['AlbumAlreadyExists', 'AlbumNotFound']);
    expect(albumDomain.refusalTypes).toBe(albumRefusalEventTypes);
  });
});

describe('album schemas', () => {
  const schemaOf = (type: string) =>
    avro.Type.forSchema(JSON.parse(fs.readFileSync(new URL(`../../../avro/album/${type}.avsc`, import.meta.url), 'utf8')));
  const problemsOf = (type: string, data: object) => {
    const problems: string[] = [];
    schemaOf(type).isValid(data, { noUndeclaredFields: true, errorHook: (path) => problems.push(`${type}: ${path.join('.')}`) });
    return problems;
  };

  it.each([...albumDomain.commandTypes, ...albumDomain.eventTypes])('%s has a record of that name', (type) =>
    expect(schemaOf(type).name).toBe(`streamfold.album.${type}`));

  it('fits every command of the scenarios and every event the decider emits', () => {
    for (const { given, when } of scenarios) {
      expect(problemsOf(when.commandType, when.data)).toEqual([]);
      for (const event of albumDecider.decide(when, fold(albumDecider, given))) expect(problemsOf(event.type, event.data)).toEqual([]);
    }
  });

  it('the scenarios cover every command and event type', () => {
    expect(new Set(scenarios.map((s) => s.when.commandType))).toEqual(new Set(albumDomain.commandTypes));
    expect(new Set(scenarios.flatMap((s) => s.then.map((e) => e.type)))).toEqual(new Set(albumDomain.eventTypes));
  });
});
