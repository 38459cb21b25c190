import { randomUUID } from 'node:crypto';
import { commandTopicOf, type CommandEnvelope } from '../../src/core/index.ts';
import { commandHeaders } from '../../src/messaging/envelopeHeaders.ts';
import type { Runtime } from '../../src/runtime.ts';
import { COUNTER_LIMIT } from '../fixtures/counter/counter.ts';

export type Outcome = 'accepted' | 'rejected' | 'invalid';

/** One command of the load, with the outcome the counter decider must give it. */
export interface PlannedCommand {
  readonly commandUuid: string;
  readonly aggregate: string;
  readonly by: number;
  readonly round: number;
  readonly expected: Outcome;
  /** The counter's total after this command, if the outcome is as expected. */
  readonly totalAfter: number;
  /** Sent twice in its round on purpose (same uuid): the dedup table must absorb it. */
  readonly resend: boolean;
}

export interface LoadOptions {
  readonly aggregates: number;
  readonly rounds: number;
  /** Pause between rounds; a round is sent only after the previous one is acknowledged. */
  readonly intervalMs: number;
  /** Overrides `by` for some (aggregate index, round): poison handlers, slow handlers. */
  readonly special?: (aggregateIndex: number, round: number) => number | undefined;
  /** How long one round may keep retrying a failed send (broker down) before giving up. */
  readonly sendDeadlineMs?: number;
  /** Encodes a command's data some other way (another writer schema); the local schema by default. */
  readonly valueFor?: (command: PlannedCommand, data: Record<string, unknown>) => Buffer | undefined;
  /** Sends a command to this partition instead of its key's (fault 8: two owners for one aggregate). */
  readonly partitionFor?: (command: PlannedCommand) => number | undefined;
}

/**
 * A deterministic plan over many counters: small increments (accepted), `by: 0` now and then
 * (invalid), counters pushed to the limit in round 0 so every later increment is refused
 * (rejected), and deliberate resends of a command uuid.
 */
export function planLoad(options: LoadOptions): { aggregates: string[]; rounds: PlannedCommand[][] } {
  const aggregates = Array.from({ length: options.aggregates }, () => randomUUID());
  const totals = aggregates.map(() => 0);
  const rounds: PlannedCommand[][] = [];
  for (let round = 0; round < options.rounds; round++) {
    rounds.push(
      aggregates.map((aggregate, i) => {
        let by = 1 + ((i + round) % 5);
        if (i % 23 === 7 && round === 0) by = COUNTER_LIMIT;
        if ((i * 7 + round) % 29 === 0) by = 0;
        by = options.special?.(i, round) ?? by;
        const total = totals[i] as number;
        const expected: Outcome = by <= 0 ? 'invalid' : total + by > COUNTER_LIMIT ? 'rejected' : 'accepted';
        if (expected === 'accepted') totals[i] = total + by;
        return { commandUuid: randomUUID(), aggregate, by, round, expected, totalAfter: totals[i] as number, resend: (i + round * 3) % 37 === 0 };
      }),
    );
  }
  return { aggregates, rounds };
}

export interface LoadResult {
  readonly planned: PlannedCommand[];
  /** Command uuids whose send the broker acknowledged (acks=all). */
  readonly acknowledged: Set<string>;
  /** Sends that failed and were retried with the same uuids. */
  readonly failedSends: number;
  /** Sends that resolved with partitions unanswered, whose messages the transport's producer sent again. */
  readonly unansweredResends: number;
  /** Messages handed to the producer, resends and retried sends included. */
  readonly produced: number;
  readonly startedAt: number;
  readonly endedAt: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends the plan round by round; a failed round is retried with the same command uuids. */
export async function runLoad(runtime: Runtime, plan: ReturnType<typeof planLoad>, options: LoadOptions): Promise<LoadResult> {
  const domain = runtime.config.domains[0]!;
  const topic = commandTopicOf(domain);
  // The command sender's producer and send (src/client/commandSender.ts): the load stands in for a client.
  const producer = runtime.transport.producer();
  await producer.connect();
  const acknowledged = new Set<string>();
  let failedSends = 0;
  let unansweredResends = 0;
  let produced = 0;
  const startedAt = Date.now();
  try {
    for (const round of plan.rounds) {
      const messages = round.flatMap((c) => {
        const envelope: CommandEnvelope = {
          commandType: 'Increment',
          commandUuid: c.commandUuid,
          aggregateType: domain.aggregateType,
          aggregateUuid: c.aggregate,
          data: { counter_uuid: c.aggregate, by: c.by },
          metadata: { issuedAt: new Date().toISOString(), issuedBy: 'fault-load', role: 'test', correlationId: c.commandUuid },
        };
        const value = options.valueFor?.(c, envelope.data) ?? runtime.codec.encode('Increment', envelope.data).value;
        const message = { key: c.aggregate, value, headers: commandHeaders(envelope), partition: options.partitionFor?.(c) };
        return c.resend ? [message, message] : [message];
      });
      const deadline = Date.now() + (options.sendDeadlineMs ?? 120_000);
      for (;;) {
        try {
          await producer.send([{ topic, messages }], { onResend: () => (unansweredResends += 1) });
          produced += messages.length;
          for (const c of round) acknowledged.add(c.commandUuid);
          break;
        } catch (error) {
          failedSends += 1;
          produced += messages.length;
          if (Date.now() > deadline) throw new Error(`a load round could not be sent for ${options.sendDeadlineMs ?? 120_000} ms`, { cause: error });
          await sleep(500);
        }
      }
      await sleep(options.intervalMs);
    }
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  return { planned: plan.rounds.flat(), acknowledged, failedSends, unansweredResends, produced, startedAt, endedAt: Date.now() };
}
