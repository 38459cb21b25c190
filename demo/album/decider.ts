import { assertAddressedTo, CommandInvalid, StreamfoldError, type CommandEnvelope, type Decider, type DomainEvent } from 'streamfold/core';

export type CreateAlbum = CommandEnvelope<
  'CreateAlbum',
  { readonly album_uuid: string; readonly reciter_uuid: string; readonly title: string; readonly year: number }
>;
/** A null field is left as it is. */
export type ModifyAlbum = CommandEnvelope<
  'ModifyAlbum',
  { readonly album_uuid: string; readonly title: string | null; readonly year: number | null }
>;
export type DeleteAlbum = CommandEnvelope<'DeleteAlbum', { readonly album_uuid: string }>;
export type UploadAlbumArtwork = CommandEnvelope<
  'UploadAlbumArtwork',
  { readonly album_uuid: string; readonly artwork_url: string }
>;
export type AlbumCommand = CreateAlbum | ModifyAlbum | DeleteAlbum | UploadAlbumArtwork;

export type AlbumCreated = DomainEvent<'AlbumCreated', CreateAlbum['data']>;
/** Only what changed: a null field did not change. */
export type AlbumModified = DomainEvent<'AlbumModified', ModifyAlbum['data']>;
export type AlbumDeleted = DomainEvent<'AlbumDeleted', DeleteAlbum['data']>;
export type AlbumArtworkUploaded = DomainEvent<'AlbumArtworkUploaded', UploadAlbumArtwork['data']>;

export type AlbumAlreadyExists = DomainEvent<'AlbumAlreadyExists', { readonly album_uuid: string }>;
export type AlbumNotFound = DomainEvent<
  'AlbumNotFound',
  { readonly album_uuid: string; readonly command_type: AlbumCommand['commandType'] }
>;

export type AlbumRefusal = AlbumAlreadyExists | AlbumNotFound;
export type AlbumEvent = AlbumCreated | AlbumModified | AlbumDeleted | AlbumArtworkUploaded | AlbumRefusal;

export type Album =
  | { readonly status: 'Absent' }
  | {
      readonly status: 'Active';
      readonly reciter_uuid: string;
      readonly title: string;
      readonly year: number;
      readonly artwork_url: string | null;
    }
  | { readonly status: 'Deleted' };

const initialState = (): Album => ({ status: 'Absent' });

function decide(command: AlbumCommand, state: Album): readonly AlbumEvent[] {
  assertAddressedTo(command, 'album_uuid', command.data.album_uuid);

  switch (command.commandType) {
    case 'CreateAlbum':
      return [create(command, state)];
    case 'ModifyAlbum':
      return modify(command, state);
    case 'DeleteAlbum':
      return [remove(command, state)];
    case 'UploadAlbumArtwork':
      return [uploadArtwork(command, state)];
    default: {
      const unknown: never = command;
      throw new CommandInvalid([`unknown command type ${(unknown as CommandEnvelope).commandType}`]);
    }
  }
}

function create({ data }: CreateAlbum, state: Album): AlbumCreated | AlbumAlreadyExists {
  const { album_uuid, reciter_uuid } = data;
  const title = titleOf(data.title);
  const year = yearOf(data.year);
  // A deleted album's uuid stays taken: creating again does not undo a deletion.
  if (state.status !== 'Absent') return { type: 'AlbumAlreadyExists', data: { album_uuid } };
  return { type: 'AlbumCreated', data: { album_uuid, reciter_uuid, title, year } };
}

function modify(command: ModifyAlbum, state: Album): AlbumEvent[] {
  const { album_uuid } = command.data;
  const title = command.data.title === null ? null : titleOf(command.data.title);
  const year = command.data.year === null ? null : yearOf(command.data.year);
  if (state.status !== 'Active') return [notFound(command)];

  const changes = { title: title === state.title ? null : title, year: year === state.year ? null : year };
  if (changes.title === null && changes.year === null) return [];
  return [{ type: 'AlbumModified', data: { album_uuid, ...changes } }];
}

function remove(command: DeleteAlbum, state: Album): AlbumDeleted | AlbumNotFound {
  if (state.status !== 'Active') return notFound(command);
  return { type: 'AlbumDeleted', data: { album_uuid: command.data.album_uuid } };
}

function uploadArtwork(command: UploadAlbumArtwork, state: Album): AlbumArtworkUploaded | AlbumNotFound {
  const { album_uuid, artwork_url } = command.data;
  if (!URL.canParse(artwork_url)) throw new CommandInvalid([`artwork_url ${artwork_url} is not an absolute URL`]);
  if (state.status !== 'Active') return notFound(command);
  return { type: 'AlbumArtworkUploaded', data: { album_uuid, artwork_url } };
}

function titleOf(title: string): string {
  const trimmed = title.trim();
  if (trimmed === '') throw new CommandInvalid(['title is empty']);
  return trimmed;
}

function yearOf(year: number): number {
  if (!Number.isInteger(year)) throw new CommandInvalid([`year ${year} is not a whole number`]);
  return year;
}

const notFound = ({ data, commandType }: AlbumCommand): AlbumNotFound => ({
  type: 'AlbumNotFound',
  data: { album_uuid: data.album_uuid, command_type: commandType },
});

function evolve(state: Album, event: AlbumEvent): Album {
  switch (event.type) {
    case 'AlbumCreated': {
      const { reciter_uuid, title, year } = event.data;
      return { status: 'Active', reciter_uuid, title, year, artwork_url: null };
    }
    case 'AlbumModified':
      if (state.status !== 'Active') return state;
      return { ...state, title: event.data.title ?? state.title, year: event.data.year ?? state.year };
    case 'AlbumArtworkUploaded':
      return state.status === 'Active' ? { ...state, artwork_url: event.data.artwork_url } : state;
    case 'AlbumDeleted':
      return { status: 'Deleted' };
    case 'AlbumAlreadyExists':
    case 'AlbumNotFound':
      return state;
    default: {
      const unknown: never = event;
      // Deciding on a state that skipped an event would be deciding on a wrong state.
      throw new StreamfoldError('UNKNOWN_TYPE', `unknown Album event type ${(unknown as DomainEvent).type}`);
    }
  }
}

export const albumDecider: Decider<AlbumCommand, AlbumEvent, Album> = { decide, evolve, initialState };
