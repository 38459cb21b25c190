import type { Logger } from '../../logger.ts';

export type LineLevel = keyof Pick<Logger, 'error' | 'warn' | 'info' | 'debug'>;

/** Group life kafkajs logs at ERROR: a rebalance, a coordinator still loading, a member rejoining, a restart. */
const routine = /rebalanc|coordinator is loading|not aware of this member|re-joining|Restarting the consumer/i;
/** A broker that is away, retried by kafkajs and waited out by streamfold (brokerAway.ts). */
const brokerAway = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|Connection error|Closed connection|group coordinator|No broker available|not the leader/i;

/** Notes kafkajs warns with on every client it makes, about settings streamfold chose on purpose. */
const settingNotes = /Limiting retries for the idempotent producer|switched default partitioner/;

const byLabel: Record<string, LineLevel> = { ERROR: 'error', WARN: 'warn', INFO: 'debug', DEBUG: 'debug' };

/**
 * The level a kafkajs line gets in streamfold's log. kafkajs logs routine group life at ERROR
 * (121 such lines in one projector's log); here a line gets the level its meaning has. kafkajs's
 * own INFO (joins, starts, stops) is detail; a line nothing below matches keeps kafkajs's level.
 */
export function levelOfKafkajsLine(label: string, line: string, error?: unknown): LineLevel {
  const fromKafkajs = byLabel[label] ?? 'info';
  if (fromKafkajs === 'debug') return 'debug';
  const text = typeof error === 'string' ? `${line} ${error}` : line;
  // Every error answer, logged by the connection before its caller handles (and logs) it.
  if (line.startsWith('[Connection] Response ') || settingNotes.test(line)) return 'debug';
  // A crash stays at least a warning; one kafkajs restarts from (or the broker away) is no more than that.
  if (line.startsWith('[Consumer] Crash: ')) return routine.test(text) || brokerAway.test(text) ? 'warn' : fromKafkajs;
  if (routine.test(text)) return 'info';
  // A send kafkajs retries: if it runs out of retries, the caller's error says so.
  if (brokerAway.test(text) || line.startsWith('[Producer] Failed to send messages')) return 'warn';
  return fromKafkajs;
}
