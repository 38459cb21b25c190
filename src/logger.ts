import pino from 'pino';

type LogFn = (line: string, fields?: Record<string, unknown>) => void;

/** Structured JSON logs on stderr; fields carry correlation and causation ids. */
export interface Logger {
  readonly info: LogFn;
  /** Per-message detail; off unless STREAMFOLD_LOG_LEVEL=debug, since it costs on hot paths. */
  readonly debug: LogFn;
  readonly debugEnabled: boolean;
}

export function createLogger(name: string, level = process.env.STREAMFOLD_LOG_LEVEL ?? 'info'): Logger {
  const logger = pino({ name, level }, pino.destination(2));
  return {
    info: (line, fields = {}) => logger.info(fields, line),
    debug: (line, fields = {}) => logger.debug(fields, line),
    debugEnabled: logger.isLevelEnabled('debug'),
  };
}

export const silentLogger: Logger = { info: () => undefined, debug: () => undefined, debugEnabled: false };
