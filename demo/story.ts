import { randomUUID } from 'node:crypto';
import type { CommandInput } from 'streamfold';

/** The scripted story: both seeds' domains, a duplicate, an invalid command, refusals, a reaction. */
export function story() {
  const [roster, p1, p2, joe, ann, bob, reciter, album1, album2] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const enrollJoe: CommandInput = {
    commandType: 'EnrollStudent',
    aggregateUuid: roster,
    data: { roster_uuid: roster, student_uuid: joe, period_uuid: p1 },
    commandUuid: randomUUID(),
  };
  const r = (commandType: string, data: Record<string, unknown>): CommandInput => ({ commandType, aggregateUuid: roster, data: { roster_uuid: roster, ...data } });
  const commands: CommandInput[] = [
    r('AddPeriod', { period_uuid: p1, name: 'Period 1' }),
    r('AddPeriod', { period_uuid: p2, name: 'Period 2' }),
    enrollJoe,
    r('EnrollStudent', { student_uuid: ann, period_uuid: p1 }),
    r('EnrollStudent', { student_uuid: bob, period_uuid: p2 }),
    r('MoveStudent', { student_uuid: ann, from_period_uuid: p1, to_period_uuid: p2 }),
    r('DropStudent', { student_uuid: bob, period_uuid: p2 }),
    enrollJoe, // the same command uuid again: deduplicated, its events re-published
    r('EnrollStudent', { student_uuid: joe, period_uuid: p2 }), // refused: AlreadyEnrolled
    r('EnrollStudent', { student_uuid: bob, period_uuid: randomUUID() }), // refused: UnknownPeriod
    { commandType: 'ChangeStudentName', aggregateUuid: joe, data: { student_uuid: joe, first: 'joe', middle: null, last: 'schmoe' } },
    { commandType: 'ChangeStudentName', aggregateUuid: ann, data: { student_uuid: ann, first: 'ann', middle: 'b', last: 'smith' } },
    { commandType: 'ChangeStudentName', aggregateUuid: bob, data: { student_uuid: bob, first: '   ', middle: null, last: 'jones' } }, // invalid
    { commandType: 'CreateReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter, name: 'Nadeem Sarwar', description: null } },
    { commandType: 'UploadReciterAvatar', aggregateUuid: reciter, data: { reciter_uuid: reciter, avatar_url: 'https://example.org/avatar.png' } },
    { commandType: 'CreateAlbum', aggregateUuid: album1, data: { album_uuid: album1, reciter_uuid: reciter, title: 'Album One', year: 2019 } },
    { commandType: 'CreateAlbum', aggregateUuid: album2, data: { album_uuid: album2, reciter_uuid: reciter, title: 'Album Two', year: 2020 } },
    { commandType: 'ModifyAlbum', aggregateUuid: album2, data: { album_uuid: album2, title: 'Album Two (Remastered)', year: null } },
  ];
  return { roster, reciter, albums: [album1, album2], commands };
}
