import type { RecordedEvent } from '../core/index.ts';
import { countProjected } from '../eventlog/index.ts';
import { projectorNameOf } from '../projection/names.ts';
import type { Runtime } from '../runtime.ts';
import { waitForOutcome } from './waitForOutcome.ts';

/**
 * Read your writes: waits until a projection has applied every event a command caused (the
 * events of the streams it reads). Eventual consistency stays the default; this makes it
 * observable, and the timeout says what it was waiting for.
 */
export async function waitForProjection(
  runtime: Pick<Runtime, 'pool' | 'readPool' | 'config' | 'domainNamed'>,
  commandUuid: string,
  projectionName: string,
  timeoutMs = 30_000,
): Promise<{ events: RecordedEvent[]; waitedMs: number }> {
  const started = Date.now();
  const projection = runtime.config.projections.find((p) => p.name === projectionName);
  if (!projection) {
    throw new Error(`no projection named ${projectionName}; the config has ${runtime.config.projections.map((p) => p.name).join(', ')}`);
  }
  const { events } = await waitForOutcome(runtime.pool, commandUuid, timeoutMs);
  const streamTypes = new Set(projection.sources.map((name) => runtime.domainNamed(name).aggregateType));
  const relevant = events.filter((e) => streamTypes.has(e.aggregateType));
  const projector = projectorNameOf(projection);
  const deadline = started + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const applied = await countProjected(runtime.readPool, projector, relevant.map((e) => e.eventUuid));
    if (applied >= relevant.length) return { events: relevant, waitedMs: Date.now() - started };
    if (Date.now() > deadline) {
      throw new Error(
        `projection ${projectionName} (${projector}) has applied ${applied} of the ${relevant.length} events of command ${commandUuid} after ${timeoutMs} ms. ` +
          `Is \`streamfold project --projection ${projectionName}\` running? \`streamfold status\` shows its lag and failures.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
