import type { Projection } from '../core/index.ts';
import { countEvents, isHalted, openLogTail } from '../eventlog/index.ts';
import type { Runtime } from '../runtime.ts';
import { personalDataOpener } from './personalDataOpener.ts';
import { applyChunk, type ChunkTarget, type Delivery } from './applyChunk.ts';
import { failureNotesOf } from './catchUp.ts';
import { projectorNameOf, schemaOf, versionOf } from './names.ts';
import type { FailureNotes } from './replayProgress.ts';
import { inTodaysShape } from './todaysShape.ts';
import { setupVersion } from './versions.ts';

export interface LogReplayOptions {
  readonly version?: number;
  readonly log?: (line: string, fields?: Record<string, unknown>) => void;
  /** Called after each page, and each second of a halt, with the events applied so far, the events the log held at the start, and the halt. */
  readonly onProgress?: (done: number, total: number, notes: FailureNotes) => void;
  readonly pageSize?: number;
  /** Asked between pages; true stops the replay (a signal). */
  readonly stopping?: () => boolean;
}

/**
 * Builds a projection version from the Postgres event log instead of its topics, for when a
 * topic no longer holds everything (retention was cut). It reads the log with a commit-safe tail
 * (no late-committing event is skipped), applies each page as one chunk with the projector's dedup,
 * and returns once it has caught up with the log. The projector then goes on from the topics:
 * what the log replay applied is already marked projected, so the overlap is absorbed.
 * Events from the log carry topic `eventlog`, partition 0 and their position as offset.
 */
export async function replayFromEventLog(runtime: Runtime, projection: Projection, options: LogReplayOptions = {}): Promise<{ applied: number }> {
  const at = versionOf(projection, options.version);
  const log = options.log ?? (() => undefined);
  const target: ChunkTarget = { projection, projector: projectorNameOf(at), schema: schemaOf(at), policy: projection.failurePolicy ?? 'halt', log, unseal: personalDataOpener(runtime) };
  await setupVersion(runtime.readPool, projection, at.version);
  const streamTypes = projection.sources.map((name) => runtime.domainNamed(name).aggregateType);
  const total = await countEvents(runtime.pool, streamTypes);
  const tail = openLogTail(runtime.pool, streamTypes, options.pageSize ?? 1000);
  let done = 0;
  for (;;) {
    if (options.stopping?.()) break;
    const events = await inTodaysShape(runtime.codec, await tail.next());
    if (events.length === 0) break;
    let rest: Delivery[] = events.map((event) => ({ event, topic: 'eventlog', partition: 0, offset: String(event.position) }));
    while (rest.length > 0) {
      const halted = await applyChunk(runtime.readPool, target, rest);
      if (!halted) break;
      // Like the topic projector: wait for `projection resume` or `skip`, then go on from the halting event.
      while (!options.stopping?.() && (await isHalted(runtime.readPool, target.projector))) {
        options.onProgress?.(done, Math.max(total, done), await failureNotesOf(runtime, [{ projection, version: at.version }]));
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (options.stopping?.()) return { applied: done };
      rest = rest.slice(rest.indexOf(halted));
    }
    done += events.length;
    if (options.onProgress) options.onProgress(done, Math.max(total, done), await failureNotesOf(runtime, [{ projection, version: at.version }]));
  }
  return { applied: done };
}
