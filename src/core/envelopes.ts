/** What the issuer of a command says about it; time comes in here, the domain never reads a clock. */
export interface CommandMetadata {
  readonly issuedAt: string;
  readonly issuedBy: string;
  readonly role: string;
  readonly correlationId: string;
  /** The event that caused this command, when a reactor sent it. */
  readonly causationId?: string;
}

/** A request to one aggregate, as it travels on a command topic (the first seed's shape). */
export interface CommandEnvelope<Type extends string = string, Data extends object = Record<string, unknown>> {
  readonly commandType: Type;
  readonly commandUuid: string;
  readonly aggregateType: string;
  readonly aggregateUuid: string;
  readonly data: Data;
  readonly metadata: CommandMetadata;
}

export interface CausedBy {
  readonly commandType: string;
  readonly commandUuid: string;
}

/** A fact a decider returns: a literal type and readonly data. The store adds the rest. */
export interface DomainEvent<Type extends string = string, Data extends object = Record<string, unknown>> {
  readonly type: Type;
  readonly data: Data;
}

/** An event as the event log recorded it. Versions and positions are bigint: never lossy. */
export interface RecordedEvent<Type extends string = string, Data = Record<string, unknown>> {
  readonly eventType: Type;
  readonly eventUuid: string;
  readonly aggregateType: string;
  readonly aggregateUuid: string;
  readonly aggregateVersion: bigint;
  readonly causedBy: CausedBy;
  readonly correlationId: string;
  readonly recordedAt: string;
  readonly data: Data;
  /** Set when read from the Postgres log; events read from Kafka carry none. */
  readonly position?: bigint;
}

export type CommandOutcome = 'accepted' | 'rejected' | 'invalid';
