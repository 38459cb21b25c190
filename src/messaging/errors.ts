import { StreamfoldError } from '../core/index.ts';

export const messagingErrorCodes = [
  'NOT_WIRE_FORMAT',
  'UNKNOWN_SCHEMA_ID',
  'UNDECODABLE',
  'BAD_KEY',
  'BAD_HEADERS',
  'INVALID_DATA',
  'UNKNOWN_MESSAGE_TYPE',
  'REGISTRY_UNAVAILABLE',
  'SCHEMA_NOT_REGISTERED',
  'INVALID_MESSAGE',
] as const;
export type MessagingErrorCode = (typeof messagingErrorCodes)[number];

export class MessagingError extends StreamfoldError<MessagingErrorCode> {
  override name = 'MessagingError';
  constructor(code: MessagingErrorCode, message: string, retriable: boolean, options?: { cause?: unknown }) {
    super(code, message, retriable, options);
  }
}

/** A message no retry can ever read: it goes to the dead-letter topic with its bytes. */
export class PoisonMessage extends MessagingError {
  override name = 'PoisonMessage';
  constructor(code: MessagingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, false, options);
  }
}

/** Data that does not fit its Avro schema; `problems` names every failing field. */
export class InvalidMessage extends MessagingError {
  override name = 'InvalidMessage';
  constructor(
    readonly typeName: string,
    readonly problems: readonly string[],
  ) {
    super('INVALID_MESSAGE', `${typeName} does not fit its Avro schema: ${problems.join('; ')}`, false);
  }
}

export const isPoisonMessage = (e: unknown): e is PoisonMessage => e instanceof PoisonMessage;
export const isInvalidMessage = (e: unknown): e is InvalidMessage => e instanceof InvalidMessage;
export const isRetriableMessagingError = (e: unknown): boolean => e instanceof MessagingError && e.retriable;
