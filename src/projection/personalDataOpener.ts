import type { RecordedEvent } from '../core/index.ts';
import { unsealEvents } from '../eventlog/index.ts';
import type { Runtime } from '../runtime.ts';

/** Opens events' sealed personal fields with keys read on the event log's pool (the keys live beside the log, not the read models). */
export const personalDataOpener =
  (runtime: Pick<Runtime, 'pool' | 'codec'>) =>
  (events: readonly RecordedEvent[]): Promise<readonly RecordedEvent[]> =>
    unsealEvents(runtime.pool, events, runtime.codec.personalFields);
