import type { TransportAdmin } from '../messaging/transport.ts';
import { ProjectionVersionError } from './errors.ts';

/**
 * Deletes consumer groups no process consumes with; a group that does not exist is fine. One with
 * members is refused: deleting it would fail, and its process would go on writing.
 */
export async function deleteIdleGroups(admin: TransportAdmin, groups: readonly string[], what: string): Promise<void> {
  const busy = (await admin.groupMembers(groups)).filter((g) => g.members > 0);
  if (busy.length > 0) {
    const members = busy.reduce((sum, g) => sum + g.members, 0);
    throw new ProjectionVersionError(
      'GROUP_ACTIVE',
      `${what} is still consumed by ${members} running process${members === 1 ? '' : 'es'} (group ${busy.map((g) => g.groupId).join(', ')}); ` +
        'stop them first (SIGTERM the `streamfold project` of the old release, or Ctrl-C the `streamfold replay`), then run this again.',
    );
  }
  await admin.deleteGroups(groups);
}
