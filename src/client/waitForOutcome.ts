import { findProcessedCommand, readEventsCausedBy, type Pool, type ProcessedCommand } from '../eventlog/index.ts';
import type { RecordedEvent } from '../core/index.ts';

export interface Outcome {
  readonly command: ProcessedCommand;
  readonly events: RecordedEvent[];
}

/** Polls the command archive until the command has an outcome; the timeout names what it waited for. */
export async function waitForOutcome(pool: Pool, commandUuid: string, timeoutMs = 30_000): Promise<Outcome> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    const command = await findProcessedCommand(pool, commandUuid);
    if (command?.outcome) return { command, events: await readEventsCausedBy(pool, commandUuid) };
    if (Date.now() > deadline) {
      throw new Error(
        `command ${commandUuid} has no outcome after ${timeoutMs} ms (${command ? 'received, still being processed' : 'not received by any worker yet'}). ` +
          'Is `streamfold worker` running?',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
