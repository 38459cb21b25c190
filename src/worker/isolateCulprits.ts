import type { ChunkItem } from './handleChunk.ts';
import type { CommandResult } from './handleCommand.ts';
import { isCausedByOneCommand } from './commandFailures.ts';

export interface Isolation {
  /** Commits items in one transaction, or throws having committed nothing. */
  readonly commit: (items: readonly ChunkItem[]) => Promise<CommandResult[]>;
  /** Records one command whose data failed its transaction, in a transaction of its own. */
  readonly recordFailure: (item: ChunkItem, error: unknown) => Promise<CommandResult>;
  readonly onIsolating?: (commands: number, error: unknown) => void;
}

/**
 * Commits a chunk; when it fails on one command's data, halves it until the culprit stands alone,
 * records that one, and commits the rest. Halves commit in order, so a partition's order holds.
 * A failure of the world (isCausedByOneCommand false) is thrown as it is, for the retry path.
 * One culprit in 250 costs about 16 extra transactions, paid only when something is wrong.
 */
export async function commitIsolatingCulprits(items: readonly ChunkItem[], isolation: Isolation): Promise<CommandResult[]> {
  try {
    return await isolation.commit(items);
  } catch (error) {
    if (!isCausedByOneCommand(error)) throw error;
    if (items.length === 1) return [await isolation.recordFailure(items[0] as ChunkItem, error)];
    isolation.onIsolating?.(items.length, error);
    const half = Math.ceil(items.length / 2);
    const first = await commitIsolatingCulprits(items.slice(0, half), isolation);
    return [...first, ...(await commitIsolatingCulprits(items.slice(half), isolation))];
  }
}
