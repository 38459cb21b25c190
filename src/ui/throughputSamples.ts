import type { GatewayContext } from '../gateway/context.ts';
import { pipelineSnapshot } from '../gateway/queries/pipelineOverview.ts';

/** What the pipeline had done at one moment: commands decided so far, and messages not yet consumed. */
export interface PipelineSample {
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** Commands in the archive with an outcome (accepted, rejected, invalid): a counter. */
  readonly decided: number;
  /** The lag of every consumer group (aggregates, live projections, reactors), summed over partitions. */
  readonly lag: number;
}

/** The newest `capacity` samples, oldest first; older ones are overwritten in place. */
export class SampleRing<T> {
  private readonly items: T[] = [];
  private next = 0;
  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  toArray(): T[] {
    return this.items.length < this.capacity ? [...this.items] : [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}

export interface ThroughputSampler {
  samples(): readonly PipelineSample[];
  stop(): void;
}

/** Ten minutes at the default five seconds. */
const capacity = 120;

/**
 * Reads the pipeline every `everyMs` into a ring, for the overview's chart of the last minutes. A
 * read that fails (Kafka or Postgres away) leaves a gap rather than a made-up point; one still
 * running when the next is due is not doubled.
 */
export function startThroughputSampler(ctx: Pick<GatewayContext, 'runtime' | 'admin'>, everyMs: number): ThroughputSampler {
  const ring = new SampleRing<PipelineSample>(capacity);
  let reading = false;
  let stopped = false;
  const sample = async () => {
    // After stop the gateway closes its Kafka admin: a read now would open it again.
    if (reading || stopped) return;
    reading = true;
    try {
      const snapshot = await ctx.admin.use((a) => pipelineSnapshot(ctx.runtime, a), 10_000);
      const decided = snapshot.commandOutcomes.filter((o) => o.outcome !== 'pending').reduce((sum, o) => sum + o.count, 0);
      const lag = snapshot.consumerLag.reduce((sum, row) => sum + Number(row.lag), 0);
      ring.push({ at: Date.now(), decided, lag });
    } catch {
      // The overview's own sections say which server did not answer.
    } finally {
      reading = false;
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), everyMs);
  timer.unref();
  return {
    samples: () => ring.toArray(),
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
