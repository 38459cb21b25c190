import { defineProjection, type Sql } from 'streamfold/core';

const q = (schema: string, table: string) => `"${schema}".${table}`;

/** Periods with their students, and the students' current names (first seed). */
export const rosterView = defineProjection({
  name: 'roster_view',
  version: 1,
  sources: ['roster', 'studentProfile'],
  tables: ['periods', 'enrollments', 'students'],
  async setup(sql: Sql, schema: string) {
    await sql.query(`create table if not exists ${q(schema, 'periods')} (
      period_uuid uuid primary key, roster_uuid uuid not null, name text not null)`);
    await sql.query(`create table if not exists ${q(schema, 'enrollments')} (
      roster_uuid uuid not null, student_uuid uuid not null, period_uuid uuid not null,
      primary key (roster_uuid, student_uuid))`);
    await sql.query(`create table if not exists ${q(schema, 'students')} (
      student_uuid uuid primary key, first text not null, middle text, last text not null)`);
  },
  async apply(event, sql, schema) {
    const d = event.data as Record<string, string | null>;
    switch (event.eventType) {
      case 'PeriodAdded':
        await sql.query(`insert into ${q(schema, 'periods')} values ($1, $2, $3) on conflict do nothing`, [d.period_uuid, d.roster_uuid, d.name]);
        return;
      case 'StudentEnrolled':
        await sql.query(`insert into ${q(schema, 'enrollments')} values ($1, $2, $3)`, [d.roster_uuid, d.student_uuid, d.period_uuid]);
        return;
      case 'StudentDropped':
        await sql.query(`delete from ${q(schema, 'enrollments')} where roster_uuid = $1 and student_uuid = $2`, [d.roster_uuid, d.student_uuid]);
        return;
      case 'StudentMoved':
        await sql.query(`update ${q(schema, 'enrollments')} set period_uuid = $3 where roster_uuid = $1 and student_uuid = $2`, [
          d.roster_uuid,
          d.student_uuid,
          d.to_period_uuid,
        ]);
        return;
      case 'StudentNameChanged':
        await sql.query(
          `insert into ${q(schema, 'students')} values ($1, $2, $3, $4)
           on conflict (student_uuid) do update set first = excluded.first, middle = excluded.middle, last = excluded.last`,
          [d.student_uuid, d.first, d.middle, d.last],
        );
        return;
      default:
        return; // Refusals change no read model.
    }
  },
  async forget(subject, sql, schema) {
    // The names were copied here in plain text; the log's copies read as erased once the key is gone.
    await sql.query(`update ${q(schema, 'students')} set first = '[erased]', middle = case when middle is null then null else '[erased]' end, last = '[erased]' where student_uuid = $1`, [subject]);
  },
});
