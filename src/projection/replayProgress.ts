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

/** A version halted on an event, with the commands that clear it. */
export interface Halt {
  readonly name: string;
  readonly version: number;
  readonly eventUuid: string;
  readonly eventType: string;
  readonly error: string;
  /** `streamfold projection skip <name> --version N`: leave the event out and go on. */
  readonly skip: string;
  /** `streamfold projection resume <name> --version N`: retry it (after a fix). */
  readonly resume: string;
}

/** What the versions' failures say at a look: the events halting them, and the skips of another version they followed. */
export interface FailureNotes {
  readonly halts: readonly Halt[];
  readonly followedSkips: number;
}

const noFailures: FailureNotes = { halts: [], followedSkips: 0 };

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

export function haltText(h: Halt): string {
  return `${h.name} v${h.version} halted on ${h.eventType} ${h.eventUuid}: ${oneLine(h.error)}. Clear it: ${h.skip} (leave the event out) or ${h.resume} (retry it)`;
}

function followedText(count: number): string {
  return count === 0 ? '' : `; ${count} event${count === 1 ? '' : 's'} skipped because another version skipped ${count === 1 ? 'it' : 'them'}`;
}

/** One plain progress line, for logs and pipes. A halt takes the place of the rate: it says what stopped and what clears it. */
export function progressLine(label: string, done: number, total: number, rate: number, notes: FailureNotes = noFailures): string {
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  const eta = done >= total ? '0s' : rate > 0 ? formatDuration((total - done) / rate) : '?';
  const state = notes.halts.length > 0 ? `HALTED: ${notes.halts.map(haltText).join('; ')}` : `${Math.round(rate)} events/s, ETA ${eta}`;
  return `${label}: ${done}/${total} events (${percent}%), ${state}${followedText(notes.followedSkips)}`;
}

export interface ReplayProgress {
  update(done: number, total: number, notes?: FailureNotes): void;
  /** Ends the bar (or the lines) and prints a closing line; later updates are ignored. */
  finish(line: string): void;
}

/**
 * Events done of total with the rate and ETA: a bar on a terminal, a plain line every
 * `lineEveryMs` otherwise (so a log file shows progress without control characters). A new halt
 * or followed skip is written at once, on a line of its own, whichever the output.
 */
export function replayProgress(label: string, options: { tty?: boolean; write?: (line: string) => void; lineEveryMs?: number } = {}): ReplayProgress {
  const tty = options.tty ?? Boolean(process.stdout.isTTY);
  const write = options.write ?? ((line: string) => console.log(line));
  const samples: ProgressSample[] = [];
  let lastLineAt = 0;
  let lastNotes = '';
  let finished = false;
  let barRunning = false;
  let bar: cliProgress.SingleBar | undefined;
  if (tty) {
    bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} events | {state}`, stream: process.stdout, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
  }
  return {
    update(done, total, notes = noFailures) {
      if (finished) return;
      const now = Date.now();
      samples.push({ at: now, done });
      while (samples.length > 2 && (samples[0]?.at ?? now) < now - 10_000) samples.shift();
      const rate = rateOf(samples);
      const noteKey = `${notes.halts.map((h) => `${h.name}/${h.version}/${h.eventUuid}`).join(',')} ${notes.followedSkips}`;
      const changed = noteKey !== lastNotes && (notes.halts.length > 0 || notes.followedSkips > 0);
      lastNotes = noteKey;
      if (bar) {
        if (changed) {
          // The bar is one short line; the halt and its commands need a line of their own.
          if (barRunning) bar.stop();
          barRunning = false;
          write(progressLine(label, done, total, rate, notes));
        }
        const eta = done >= total ? '0s' : rate > 0 ? formatDuration((total - done) / rate) : '?';
        const state = notes.halts.length > 0 ? `HALTED (${notes.halts.map((h) => `${h.name} v${h.version}`).join(', ')}): see above` : `${Math.round(rate)} events/s | ETA ${eta}`;
        const payload = { state: `${state}${followedText(notes.followedSkips)}` };
        if (!barRunning) {
          bar.start(total, done, payload);
          barRunning = true;
        } else {
          bar.setTotal(total);
          bar.update(done, payload);
        }
      } else if (changed || now - lastLineAt >= (options.lineEveryMs ?? 5_000) || (done >= total && samples.length === 1)) {
        lastLineAt = now;
        write(progressLine(label, done, total, rate, notes));
      }
    },
    finish(line) {
      if (finished) return;
      finished = true;
      if (barRunning) bar?.stop();
      write(line);
    },
  };
}
