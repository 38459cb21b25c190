import pino from 'pino';

type LogFn = (line: string, fields?: Record<string, unknown>) => void;

/** Structured JSON logs on stderr; fields carry correlation and causation ids. */
export interface Logger {
  /** Something failed that nobody will retry: an operator should look. */
  readonly error: LogFn;
  /** Something failed and is being retried or waited out (a broker away, a send resent). */
  readonly warn: LogFn;
  readonly info: LogFn;
  /** Per-chunk detail (timings); off unless STREAMFOLD_LOG_LEVEL=debug. */
  readonly debug: LogFn;
  /** Per-message detail; off unless STREAMFOLD_LOG_LEVEL=trace, since a line per command costs on hot paths. */
  readonly trace: LogFn;
  readonly traceEnabled: boolean;
}

export function createLogger(name: string, level = process.env.STREAMFOLD_LOG_LEVEL ?? 'info'): Logger {
  const logger = pino({ name, level }, pino.destination(2));
  return {
    error: (line, fields = {}) => logger.error(fields, line),
    warn: (line, fields = {}) => logger.warn(fields, line),
    info: (line, fields = {}) => logger.info(fields, line),
    debug: (line, fields = {}) => logger.debug(fields, line),
    trace: (line, fields = {}) => logger.trace(fields, line),
    traceEnabled: logger.isLevelEnabled('trace'),
  };
}

const nothing = () => undefined;
export const silentLogger: Logger = { error: nothing, warn: nothing, info: nothing, debug: nothing, trace: nothing, traceEnabled: false };
