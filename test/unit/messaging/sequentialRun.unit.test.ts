import type { Consumer, EachBatchPayload, Logger } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { sequentialRun } from '../../../src/messaging/kafkajs/sequentialRun.ts';
import type { PartitionBatch } from '../../../src/messaging/transport.ts';

type Offsets = { topic: string; partition: number; offset: string }[];

/** kafkajs's consumer as the loop uses it: each offset commit written down and answered when the test says. */
function fakeConsumer() {
  const requests: { offsets: string; answer: (error?: Error) => void }[] = [];
  const consumer = {
    commitOffsets: (offsets: Offsets) =>
      new Promise<void>((resolve, reject) => {
        requests.push({ offsets: offsets.map((o) => `${o.topic}[${o.partition}] ${o.offset}`).join(', '), answer: (error) => (error ? reject(error) : resolve()) });
      }),
  };
  return { consumer: consumer as unknown as Consumer, requests };
}

const quietLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined } as unknown as Logger;

function payloadOf(topic: string, partition: number, offsets: number[], resolved: string[] = []): EachBatchPayload {
  return {
    batch: { topic, partition, messages: offsets.map((o) => ({ key: null, value: Buffer.from(String(o)), headers: {}, offset: String(o), timestamp: '0' })) },
    resolveOffset: (offset: string) => resolved.push(`${topic}[${partition}] ${offset}`),
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
}

/** A handler that commits the offset after its batch's last message. */
const commitAfterLast = async (batch: PartitionBatch) => {
  await batch.commit((BigInt(batch.messages.at(-1)!.offset) + 1n).toString());
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const membershipLostError = () => Object.assign(new Error('The coordinator is not aware of this member'), { type: 'UNKNOWN_MEMBER_ID' });

describe('the sequential consume loop', () => {
  it('does not wait for an offset commit: it moves the next fetch on, and partitions committed meanwhile share the next request', async () => {
    const { consumer, requests } = fakeConsumer();
    const resolved: string[] = [];
    const loop = sequentialRun({ consumer, logger: quietLogger, fetchedAt: () => 0, eachBatch: commitAfterLast });

    // The runner's eachBatch returns while the first commit is still unanswered.
    await loop.eachBatch(payloadOf('t', 0, [0, 1], resolved));
    await loop.eachBatch(payloadOf('t', 1, [4], resolved));
    await loop.eachBatch(payloadOf('t', 0, [2], resolved));
    expect(resolved).toEqual(['t[0] 1', 't[1] 4', 't[0] 2']);
    expect(requests.map((r) => r.offsets)).toEqual(['t[0] 2']);

    requests[0]!.answer();
    await settle();
    // One request for both partitions, partition 0 at its newest.
    expect(requests.map((r) => r.offsets)).toEqual(['t[0] 2', 't[1] 5, t[0] 3']);
  });

  it('rejoins on the next batch when a commit finds the member out of its group, but not for a membership already ended', async () => {
    const { consumer, requests } = fakeConsumer();
    const loop = sequentialRun({ consumer, logger: quietLogger, fetchedAt: () => 0, eachBatch: commitAfterLast });

    await loop.eachBatch(payloadOf('t', 0, [0]));
    requests[0]!.answer(membershipLostError());
    await settle();
    await expect(loop.eachBatch(payloadOf('t', 0, [1]))).rejects.toThrow(/not aware of this member/);
    // Thrown once: the runner has rejoined, and the rejoined member's batches run.
    await loop.eachBatch(payloadOf('t', 0, [1]));

    // A commit refused after the group was joined again spoke for the membership before it.
    loop.membershipEnded();
    requests[1]!.answer(membershipLostError());
    await settle();
    await loop.eachBatch(payloadOf('t', 0, [2]));
    expect(requests.map((r) => r.offsets)).toEqual(['t[0] 1', 't[0] 2', 't[0] 3']);
  });

  it('drops what is pending when the membership ends: the next one reads from what the group committed', async () => {
    const { consumer, requests } = fakeConsumer();
    const loop = sequentialRun({ consumer, logger: quietLogger, fetchedAt: () => 0, eachBatch: commitAfterLast });

    await loop.eachBatch(payloadOf('t', 0, [0]));
    await loop.eachBatch(payloadOf('t', 1, [0]));
    loop.membershipEnded();
    requests[0]!.answer();
    await settle();
    expect(requests.map((r) => r.offsets)).toEqual(['t[0] 1']);
  });

  it('sends the offsets of the batches in hand before a stopping runner leaves the group', async () => {
    const { consumer, requests } = fakeConsumer();
    let release: () => void = () => undefined;
    const loop = sequentialRun({
      consumer,
      logger: quietLogger,
      fetchedAt: () => 0,
      eachBatch: async (batch) => {
        await new Promise<void>((resolve) => (release = resolve));
        await commitAfterLast(batch);
      },
    });

    let handedBack = false;
    const inHand = loop.eachBatch(payloadOf('t', 0, [7])).then(() => (handedBack = true));
    await settle();
    const stopped = loop.stop();
    release();
    await settle();
    // The batch's commit went out, and the runner gets its batch back only once it is answered.
    expect(requests.map((r) => r.offsets)).toEqual(['t[0] 8']);
    expect(handedBack).toBe(false);
    requests[0]!.answer();
    await Promise.all([inHand, stopped]);
    expect(handedBack).toBe(true);
  });
});
