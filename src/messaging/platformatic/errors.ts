/**
 * What @platformatic/kafka's errors mean to streamfold. Its errors carry `code` (PLT_KFK_NETWORK,
 * PLT_KFK_TIMEOUT, ...), protocol errors an `apiId` (the broker's error name), and several causes in
 * `errors` or `cause`: the whole tree is read.
 */
import { awaySocketCodes } from '../kafkajs/brokerAway.ts';

const awayCodes = new Set(['PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT']);
const awayApiIds = new Set([
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
]);

interface ErrorTree {
  readonly code?: string;
  readonly apiId?: string;
  readonly cause?: unknown;
  readonly errors?: readonly unknown[];
}

/** Whether some error in `error`'s tree passes `test`. */
function anyInTree(error: unknown, test: (node: ErrorTree) => boolean, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 10) return false;
  const node = error as ErrorTree;
  if (test(node)) return true;
  if (anyInTree(node.cause, test, depth + 1)) return true;
  return Array.isArray(node.errors) && node.errors.some((inner) => anyInTree(inner, test, depth + 1));
}

/** Whether the broker, or the group's coordinator on it, is away for now. */
export const isBrokerAway = (error: unknown): boolean =>
  anyInTree(error, ({ code, apiId }) => awayCodes.has(code ?? '') || awaySocketCodes.has(code ?? '') || awayApiIds.has(apiId ?? ''));

/** The broker's error names in `error`'s tree (UNKNOWN_TOPIC_ID, OFFSET_OUT_OF_RANGE, ...): for logs. */
export function protocolErrorsIn(error: unknown): string[] {
  const names = new Set<string>();
  anyInTree(error, ({ apiId }) => {
    if (apiId) names.add(apiId);
    return false;
  });
  return [...names];
}
