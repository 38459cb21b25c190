import type { Consumer } from 'kafkajs';

/**
 * The broker's errors that mean this member lost its place in the group (kafkajs names NOT_COORDINATOR
 * NOT_COORDINATOR_FOR_GROUP; MEMBER_ID_REQUIRED answers a join). kafkajs's runner rejoins on them; the
 * platformatic transport reads them too.
 */
export const membershipLostTypes: ReadonlySet<string> = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'MEMBER_ID_REQUIRED']);

/** The protocol error in `error`'s cause chain that says this member lost its place, if there is one. */
export function membershipLost(error: unknown): Error | undefined {
  for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if (membershipLostTypes.has((cause as { type?: string }).type ?? '')) return cause as Error;
  }
  return undefined;
}

/**
 * Commits offsets. kafkajs wraps a lost membership (a member frozen past its session timeout, or
 * one that missed a rebalance during a long chunk) in a KafkaJSNonRetriableError, and a consumer
 * crashing with that is never restarted: the process lives on with no consumer. Rethrowing the
 * protocol error underneath lets the runner rejoin instead; the chunk is already committed in
 * Postgres, so its redelivery hits the dedup tables.
 */
export async function commitOffsets(consumer: Consumer, offsets: { topic: string; partition: number; offset: string }[]): Promise<void> {
  try {
    await consumer.commitOffsets(offsets);
  } catch (error) {
    throw membershipLost(error) ?? error;
  }
}
