import { findStreamsByEventData } from 'streamfold';
import { defineReactor } from 'streamfold/core';

/** Deleting a reciter deletes their albums: a producer is also a consumer (first seed). */
export const deleteAlbumsOfDeletedReciter = defineReactor({
  name: 'reciter_album_cleanup',
  sources: ['reciter'],
  async react(event, sql) {
    if (event.eventType !== 'ReciterDeleted') return [];
    const albums = await findStreamsByEventData(sql, { streamType: 'Album', eventType: 'AlbumCreated', field: 'reciter_uuid', equals: event.aggregateUuid });
    return albums.map((album) => ({ commandType: 'DeleteAlbum', aggregateType: 'Album', aggregateUuid: album, data: { album_uuid: album }, key: album }));
  },
});
