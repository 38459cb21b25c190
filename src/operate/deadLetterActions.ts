import { readDeadLetterAt, retryDeadLetter } from '../gateway/queries/deadLetterMessages.ts';
import { recordDeadLetterAction, type DeadLetterAction } from '../eventlog/deadLetterActions.ts';
import type { TransportAdmin } from '../messaging/transport.ts';
import type { Runtime } from '../runtime.ts';

// Retry and discard as every operator surface does them: the act, then the audit row naming who.

/** Sends the message back to its source topic and records who did it. */
export async function retryDeadLetterBy(runtime: Runtime, admin: TransportAdmin, topic: string, partition: number, offset: bigint, actor: string): Promise<DeadLetterAction> {
  const { retried, sentTo } = await retryDeadLetter(runtime, admin, topic, partition, offset);
  return recordDeadLetterAction(runtime.pool, { topic, partition, offset: offset.toString(), action: 'retried', actor, errorCode: retried.errorCode, sentTo });
}

/** Marks the message discarded (Kafka keeps it until retention: the mark is the record) and records who did it. */
export async function discardDeadLetterBy(runtime: Runtime, admin: TransportAdmin, topic: string, partition: number, offset: bigint, actor: string): Promise<DeadLetterAction> {
  const letter = await readDeadLetterAt(runtime, admin, topic, partition, offset);
  return recordDeadLetterAction(runtime.pool, { topic, partition, offset: offset.toString(), action: 'discarded', actor, errorCode: letter.errorCode, sentTo: null });
}
