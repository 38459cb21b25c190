/**
 * Where a chunk's time went, for the steady benchmark's timeline (docs/benchmarks.md). The worker
 * and projector take a hook in their options and call it once per chunk; given none, they measure
 * nothing. The CLI installs one that writes debug lines when STREAMFOLD_CHUNK_TIMINGS=1.
 * Times are milliseconds since the epoch, comparable across processes on one machine.
 */
export interface ChunkTiming {
  readonly topic: string;
  readonly partition: number;
  /** The chunk's first and last offsets, `first-last`. */
  readonly offsets: string;
  /** The uuid of each message's command: the one it carries (worker) or the one that caused it (projector). */
  readonly commands: readonly string[];
  /** Each message's Kafka timestamp: the broker's append time on a topic with `message.timestamp.type=LogAppendTime`. */
  readonly appendedAt: readonly number[];
  /** The last fetch answer before the chunk was handed over: with one broker, the fetch that brought it. */
  readonly fetchedAt: number;
  /** The chunk handed to the handler, decoded. */
  readonly startedAt: number;
  /** Its Postgres transaction committed. */
  readonly committedAt: number;
  /** The worker's only: Kafka acknowledged the chunk's events. */
  readonly producedAt?: number;
}

export interface ChunkTimings {
  chunk(timing: ChunkTiming): void;
}

/** Now, in milliseconds since the epoch, at the monotonic clock's resolution. */
export const epochMs = (at = performance.now()) => performance.timeOrigin + at;

/** The CLI's hook: one `chunk timing` debug line per chunk, when STREAMFOLD_CHUNK_TIMINGS=1. */
export function chunkTimingsFromEnv(debug: (line: string, fields: Record<string, unknown>) => void): ChunkTimings | undefined {
  if (process.env.STREAMFOLD_CHUNK_TIMINGS !== '1') return undefined;
  return { chunk: (timing) => debug('chunk timing', { ...timing }) };
}
