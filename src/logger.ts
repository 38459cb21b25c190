import pino from 'pino';

type LogFn = (line: string, fields?: Record<string, unknown>) => void;

/** Structured JSON logs on stderr; fields carry correlation and causation ids. */
export interface Logger {
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
    info: (line, fields = {}) => logger.info(fields, line),
    debug: (line, fields = {}) => logger.debug(fields, line),
    trace: (line, fields = {}) => logger.trace(fields, line),
    traceEnabled: logger.isLevelEnabled('trace'),
  };
}

export const silentLogger: Logger = { info: () => undefined, debug: () => undefined, trace: () => undefined, traceEnabled: false };
