import { fileURLToPath } from 'node:url';
import type { FaultPoint } from '../../src/faults.ts';

export const workerPoints: FaultPoint[] = ['worker.after-dedup', 'worker.after-append', 'worker.after-commit', 'worker.after-produce'];

/**
 * A random count that lands a kill in the middle of the load. Every point is reached once per chunk
 * on the worker's batched path (handleChunk); the command-by-command path after a conflict
 * (handleCommand) reaches dedup and append once per command, which only brings a kill sooner.
 */
export const randomAfter = () => 2 + Math.floor(Math.random() * 4);

/** The hooks module a streamfold process installs from STREAMFOLD_FAULT_HOOKS (src/cli/faultHooks.ts). */
const selfKill = fileURLToPath(new URL('./selfKill.ts', import.meta.url));

/** The environment that makes a streamfold process SIGKILL itself at `point`. */
export const killAt = (point: FaultPoint, after = randomAfter()): NodeJS.ProcessEnv => ({
  STREAMFOLD_FAULT_HOOKS: selfKill,
  STREAMFOLD_FAULT_KILL_AT: point,
  STREAMFOLD_FAULT_AFTER: String(after),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` holds or the timeout passes; returns whether it held. */
export async function until(done: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return true;
    await sleep(everyMs);
  }
  return done();
}
