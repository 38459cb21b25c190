import type { Admin } from 'kafkajs';
import { ProjectionVersionError } from './errors.ts';

/**
 * Deletes consumer groups no process consumes with; a group that does not exist is fine. One with
 * members is refused: deleting it would fail, and its process would go on writing.
 */
export async function deleteIdleGroups(admin: Admin, groups: readonly string[], what: string): Promise<void> {
  const { groups: described } = await admin.describeGroups([...groups]);
  const busy = described.filter((g) => g.members.length > 0);
  if (busy.length > 0) {
    const members = busy.reduce((sum, g) => sum + g.members.length, 0);
    throw new ProjectionVersionError(
      'GROUP_ACTIVE',
      `${what} is still consumed by ${members} running process${members === 1 ? '' : 'es'} (group ${busy.map((g) => g.groupId).join(', ')}); ` +
        'stop them first (SIGTERM the `streamfold project` of the old release, or Ctrl-C the `streamfold replay`), then run this again.',
    );
  }
  await admin.deleteGroups([...groups]).catch((error: { groups?: { error?: { type?: string } }[] }) => {
    if (!error.groups?.every((g) => g.error?.type === 'GROUP_ID_NOT_FOUND')) throw error;
  });
}
