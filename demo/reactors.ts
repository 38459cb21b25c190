import { defineReactor } from 'streamfold/core';

/** Deleting a reciter deletes their albums: a producer is also a consumer (first seed). */
export const deleteAlbumsOfDeletedReciter = defineReactor({
  name: 'reciter_album_cleanup',
  sources: ['reciter'],
  async react(event, sql) {
    if (event.eventType !== 'ReciterDeleted') return [];
    // The event log is the truth, so no projection's lag can hide an album from us.
    const { rows } = await sql.query<{ album_uuid: string }>(
      `select stream_id::text as album_uuid from events
       where stream_type = 'Album' and type = 'AlbumCreated' and data->>'reciter_uuid' = $1 order by position`,
      [event.aggregateUuid],
    );
    return rows.map((row) => ({
      commandType: 'DeleteAlbum',
      aggregateType: 'Album',
      aggregateUuid: row.album_uuid,
      data: { album_uuid: row.album_uuid },
      key: row.album_uuid,
    }));
  },
});
