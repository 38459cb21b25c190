import type { RecordedEvent } from '../../core/index.ts';
import { readStream, unsealEvents, type PersonalFieldsOf, type Pool } from '../../eventlog/index.ts';

export { readRecentEvents } from '../../eventlog/index.ts';

export interface StreamPage {
  readonly aggregateUuid: string;
  readonly aggregateType: string | undefined;
  readonly events: (RecordedEvent & { schemaId: number })[];
  /** The version to ask `after=` for the next page, when there is one. */
  readonly nextAfter: bigint | undefined;
}

/** One page of an aggregate's history, in version order, after a version (exclusive). */
/** Personal fields are opened with `personalOf` (runtime.codec.personalFields): plaintext, or [erased] once forgotten. */
export async function readStreamPage(pool: Pool, aggregateUuid: string, afterVersion: bigint, limit: number, personalOf?: PersonalFieldsOf): Promise<StreamPage> {
  // One more than the page: its presence says there is a next page.
  const read = await readStream(pool, aggregateUuid, afterVersion, limit + 1);
  const events = await unsealEvents(pool, read.slice(0, limit), personalOf);
  return {
    aggregateUuid,
    aggregateType: events[0]?.aggregateType,
    events,
    nextAfter: read.length > limit ? events.at(-1)?.aggregateVersion : undefined,
  };
}
