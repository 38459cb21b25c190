import { StreamfoldError } from '../core/index.ts';

/** Thrown when a dependency did not answer in time; the work itself may still finish later. */
export class TimedOut extends StreamfoldError<'TIMED_OUT'> {
  override name = 'TimedOut';
  constructor(message: string) {
    super('TIMED_OUT', message, true);
  }
}

/** Races `work` against a timer, so one slow dependency cannot hold a request open for a minute. */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
