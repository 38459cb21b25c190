import { describe, expect, it } from 'vitest';
import type { ChunkItem } from '../../../src/worker/handleChunk.ts';
import type { CommandResult } from '../../../src/worker/handleCommand.ts';
import { DecisionFailed } from '../../../src/worker/commandFailures.ts';
import { commitIsolatingCulprits } from '../../../src/worker/isolateCulprits.ts';

const item = (n: number) => ({ command: { commandUuid: String(n) } }) as unknown as ChunkItem;
const dataError = Object.assign(new Error('invalid input syntax for type uuid: "x"'), { code: '22P02' });

/** A fake transaction: fails whole when it holds a culprit, else commits every item in order. */
function fakeLog(culprits: Set<string>, failure: unknown = dataError) {
  const committed: string[] = [];
  const failed: string[] = [];
  let transactions = 0;
  return {
    committed,
    failed,
    transactions: () => transactions,
    isolation: {
      commit: async (items: readonly ChunkItem[]): Promise<CommandResult[]> => {
        transactions++;
        if (items.some((i) => culprits.has(i.command.commandUuid))) throw failure;
        committed.push(...items.map((i) => i.command.commandUuid));
        return items.map(() => ({ outcome: 'accepted', events: [] }));
      },
      recordFailure: async (i: ChunkItem): Promise<CommandResult> => {
        failed.push(i.command.commandUuid);
        return { outcome: 'invalid', events: [] };
      },
    },
  };
}

describe('a chunk that fails on one command\'s data', () => {
  it('commits every other command, in order, and records the culprits', async () => {
    const log = fakeLog(new Set(['3', '200']));
    const items = Array.from({ length: 250 }, (_, n) => item(n));
    const results = await commitIsolatingCulprits(items, log.isolation);
    expect(log.committed).toEqual(items.map((i) => i.command.commandUuid).filter((n) => n !== '3' && n !== '200'));
    expect(log.failed).toEqual(['3', '200']);
    expect(results.map((r) => r.outcome).filter((o) => o === 'invalid')).toHaveLength(2);
    expect(results[3]?.outcome).toBe('invalid');
    expect(log.transactions()).toBeLessThan(40);
  });

  it('isolates a decider that throws', async () => {
    const log = fakeLog(new Set(['1']), new DecisionFailed('the decider threw'));
    await commitIsolatingCulprits([item(0), item(1)], log.isolation);
    expect(log.failed).toEqual(['1']);
  });

  it.each([
    ['a lost connection', Object.assign(new Error('Connection terminated'), { code: '08006' })],
    ['a serialization failure', Object.assign(new Error('could not serialize'), { code: '40001' })],
    ['an error with no SQLSTATE', new Error('ECONNRESET')],
  ])('leaves %s to the retry path, committing nothing', async (_case, failure) => {
    const log = fakeLog(new Set(['0']), failure);
    await expect(commitIsolatingCulprits([item(0), item(1)], log.isolation)).rejects.toBe(failure);
    expect(log.committed).toEqual([]);
    expect(log.failed).toEqual([]);
  });
});
