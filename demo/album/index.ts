import { defineDomain } from 'streamfold/core';
import { albumDecider, type AlbumCommand, type AlbumEvent, type AlbumRefusal } from './decider.ts';

export * from './decider.ts';

// Records rather than arrays, so the compiler insists that every type is listed exactly once.
const commands = {
  CreateAlbum: true,
  ModifyAlbum: true,
  DeleteAlbum: true,
  UploadAlbumArtwork: true,
} satisfies Record<AlbumCommand['commandType'], true>;
const isRefusal = {
  AlbumCreated: false,
  AlbumModified: false,
  AlbumDeleted: false,
  AlbumArtworkUploaded: false,
  AlbumAlreadyExists: true,
  AlbumNotFound: true,
} satisfies Record<AlbumEvent['type'], boolean>;

export const albumEventTypes = Object.keys(isRefusal) as AlbumEvent['type'][];
/** Events that record a refused command: the worker marks that command's outcome `rejected`. */
export const albumRefusalEventTypes = albumEventTypes.filter((type): type is AlbumRefusal['type'] => isRefusal[type]);

export const albumDomain = defineDomain({
  name: 'album',
  aggregateType: 'Album',
  commandTypes: Object.keys(commands) as AlbumCommand['commandType'][],
  eventTypes: albumEventTypes,
  refusalTypes: albumRefusalEventTypes,
  decider: albumDecider,
});
