import { defineProjection, type Sql } from 'streamfold/core';

const q = (schema: string, table: string) => `"${schema}".${table}`;

/** The second seed's RecitersProjector. */
export const recitersTable = defineProjection({
  name: 'reciters',
  version: 1,
  sources: ['reciter'],
  tables: ['reciters'],
  async setup(sql: Sql, schema: string) {
    await sql.query(`create table if not exists ${q(schema, 'reciters')} (
      reciter_uuid uuid primary key, name text not null, description text, avatar_url text,
      version bigint not null, updated_at timestamptz not null)`);
  },
  async apply(event, sql, schema) {
    const d = event.data as Record<string, string | null>;
    const at = [event.aggregateVersion.toString(), event.recordedAt];
    switch (event.eventType) {
      case 'ReciterCreated':
        await sql.query(`insert into ${q(schema, 'reciters')} (reciter_uuid, name, description, version, updated_at) values ($1, $2, $3, $4, $5)`, [
          d.reciter_uuid,
          d.name,
          d.description,
          ...at,
        ]);
        return;
      case 'ReciterModified':
        await sql.query(
          `update ${q(schema, 'reciters')} set name = coalesce($2, name), description = coalesce($3, description), version = $4, updated_at = $5
           where reciter_uuid = $1`,
          [d.reciter_uuid, d.name, d.description, ...at],
        );
        return;
      case 'ReciterAvatarUploaded':
        await sql.query(`update ${q(schema, 'reciters')} set avatar_url = $2, version = $3, updated_at = $4 where reciter_uuid = $1`, [d.reciter_uuid, d.avatar_url, ...at]);
        return;
      case 'ReciterDeleted':
        await sql.query(`delete from ${q(schema, 'reciters')} where reciter_uuid = $1`, [d.reciter_uuid]);
        return;
      default:
        return;
    }
  },
});

/** Albums with their reciter (second seed). */
export const albumsTable = defineProjection({
  name: 'albums',
  version: 1,
  sources: ['album'],
  tables: ['albums'],
  async setup(sql: Sql, schema: string) {
    await sql.query(`create table if not exists ${q(schema, 'albums')} (
      album_uuid uuid primary key, reciter_uuid uuid not null, title text not null, year integer not null,
      artwork_url text, version bigint not null, updated_at timestamptz not null)`);
  },
  async apply(event, sql, schema) {
    const d = event.data as Record<string, string | number | null>;
    const at = [event.aggregateVersion.toString(), event.recordedAt];
    switch (event.eventType) {
      case 'AlbumCreated':
        await sql.query(`insert into ${q(schema, 'albums')} (album_uuid, reciter_uuid, title, year, version, updated_at) values ($1, $2, $3, $4, $5, $6)`, [
          d.album_uuid,
          d.reciter_uuid,
          d.title,
          d.year,
          ...at,
        ]);
        return;
      case 'AlbumModified':
        await sql.query(
          `update ${q(schema, 'albums')} set title = coalesce($2, title), year = coalesce($3, year), version = $4, updated_at = $5 where album_uuid = $1`,
          [d.album_uuid, d.title, d.year, ...at],
        );
        return;
      case 'AlbumArtworkUploaded':
        await sql.query(`update ${q(schema, 'albums')} set artwork_url = $2, version = $3, updated_at = $4 where album_uuid = $1`, [d.album_uuid, d.artwork_url, ...at]);
        return;
      case 'AlbumDeleted':
        await sql.query(`delete from ${q(schema, 'albums')} where album_uuid = $1`, [d.album_uuid]);
        return;
      default:
        return;
    }
  },
});
