import cliProgress from 'cli-progress';

export interface ProgressSample {
  readonly at: number;
  readonly done: number;
}

/** Events per second over the samples of the last `windowMs`. */
export function rateOf(samples: readonly ProgressSample[], windowMs = 5_000): number {
  const last = samples.at(-1);
  if (!last) return 0;
  const first = samples.find((s) => s.at >= last.at - windowMs) ?? last;
  const seconds = (last.at - first.at) / 1000;
  return seconds > 0 ? (last.done - first.done) / seconds : 0;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One plain progress line, for logs and pipes. */
export function progressLine(label: string, done: number, total: number, rate: number): string {
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  const eta = done >= total ? '0s' : rate > 0 ? formatDuration((total - done) / rate) : '?';
  return `${label}: ${done}/${total} events (${percent}%), ${Math.round(rate)} events/s, ETA ${eta}`;
}

export interface ReplayProgress {
  update(done: number, total: number): void;
  /** Ends the bar (or the lines) and prints a closing line; later updates are ignored. */
  finish(line: string): void;
}

/**
 * Events done of total with the rate and ETA: a bar on a terminal, a plain line every
 * `lineEveryMs` otherwise (so a log file shows progress without control characters).
 */
export function replayProgress(label: string, options: { tty?: boolean; write?: (line: string) => void; lineEveryMs?: number } = {}): ReplayProgress {
  const tty = options.tty ?? Boolean(process.stdout.isTTY);
  const write = options.write ?? ((line: string) => console.log(line));
  const samples: ProgressSample[] = [];
  let lastLineAt = 0;
  let finished = false;
  let bar: cliProgress.SingleBar | undefined;
  if (tty) {
    bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | ETA {etaText}`, stream: process.stdout, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
  }
  return {
    update(done, total) {
      if (finished) return;
      const now = Date.now();
      samples.push({ at: now, done });
      while (samples.length > 2 && (samples[0]?.at ?? now) < now - 10_000) samples.shift();
      const rate = rateOf(samples);
      if (bar) {
        const payload = { rate: Math.round(rate), etaText: done >= total ? '0s' : rate > 0 ? formatDuration((total - done) / rate) : '?' };
        if (samples.length === 1) bar.start(total, done, payload);
        else {
          bar.setTotal(total);
          bar.update(done, payload);
        }
      } else if (now - lastLineAt >= (options.lineEveryMs ?? 5_000) || (done >= total && samples.length === 1)) {
        lastLineAt = now;
        write(progressLine(label, done, total, rate));
      }
    },
    finish(line) {
      if (finished) return;
      finished = true;
      bar?.stop();
      write(line);
    },
  };
}
