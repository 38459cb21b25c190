import type { Logger } from '../logger.ts';
import type { Runtime } from '../runtime.ts';
import type { CommandIntake } from './commandIntake.ts';
import type { AdminHandle } from './kafkaAdmin.ts';

export interface GatewayOptions {
  /** Address to listen on; 127.0.0.1 unless told otherwise. */
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** When set, every request but /health and /ready needs `Authorization: Bearer <token>` (or the UI's session). */
  readonly token?: string;
  /** Larger request bodies are refused with 413. */
  readonly maxBodyBytes: number;
  /** How long a POST /commands waits for Kafka before answering 503. */
  readonly produceTimeoutMs: number;
  /** How often the UI's live regions refresh. */
  readonly refreshMs: number;
}

export const gatewayDefaults: GatewayOptions = {
  host: '127.0.0.1',
  port: 8080,
  maxBodyBytes: 1024 * 1024,
  produceTimeoutMs: 10_000,
  refreshMs: 2000,
};

/** What every route reads from: made once by createGateway, closed with it. */
export interface GatewayContext {
  readonly runtime: Runtime;
  readonly options: GatewayOptions;
  readonly intake: CommandIntake;
  readonly admin: AdminHandle;
  readonly logger: Logger;
}
