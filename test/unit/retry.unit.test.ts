import { describe, expect, it } from 'vitest';
import { withRetries } from '../../src/retry.ts';

const quick = { attempts: 4, initialMs: 1, factor: 2, maxMs: 4 };

/** Work that fails `failures` times with the given errors, then answers 'done'. */
function failing(errors: Error[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    work: async () => {
      const error = errors[calls++];
      if (error) throw error;
      return 'done';
    },
  };
}

describe('withRetries', () => {
  it('tries again until the work succeeds, telling each wait', async () => {
    const work = failing([new Error('one'), new Error('two')]);
    const waits: number[] = [];
    expect(await withRetries(work.work, quick, { onRetry: (_e, ms) => waits.push(ms) })).toBe('done');
    expect(work.calls).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('gives up after its attempts with the last error', async () => {
    const work = failing([new Error('1'), new Error('2'), new Error('3'), new Error('4'), new Error('5')]);
    await expect(withRetries(work.work, quick)).rejects.toThrow('4');
    expect(work.calls).toBe(4);
  });

  it('does not retry what retryIf refuses', async () => {
    const refusal = Object.assign(new Error('incompatible'), { status: 409 });
    const work = failing([Object.assign(new Error('unavailable'), { status: 503 }), refusal]);
    await expect(withRetries(work.work, quick, { retryIf: (e) => (e as { status: number }).status >= 500 })).rejects.toBe(refusal);
    expect(work.calls).toBe(2);
  });

  it('with unlimited attempts keeps going while retryIf allows', async () => {
    const work = failing(Array.from({ length: 20 }, () => new Error('away')));
    expect(await withRetries(work.work, { ...quick, attempts: Infinity, maxMs: 1 })).toBe('done');
    expect(work.calls).toBe(21);
  });
});
