import type { Runtime } from '../runtime.ts';
import { pipelineStatus } from './status.ts';

/**
 * Waits until the consumer groups (all of the config's, or those named) have no lag, twice in
 * a row: a reactor may produce a command between two looks.
 */
export async function waitForQuiescence(runtime: Runtime, timeoutMs = 60_000, groups?: readonly string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietLooks = 0;
  while (quietLooks < 2) {
    const status = await pipelineStatus(runtime);
    const lag = status.lag.filter((row) => !groups || groups.includes(row.group)).reduce((sum, row) => sum + row.lag, 0n);
    quietLooks = lag === 0n ? quietLooks + 1 : 0;
    if (Date.now() > deadline) throw new Error(`the pipeline did not go quiet within ${timeoutMs} ms: ${lag} messages not yet consumed`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
