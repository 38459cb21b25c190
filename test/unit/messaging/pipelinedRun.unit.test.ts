import type { Consumer, EachBatchPayload, Logger } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { pipelinedRun, type PipelinedRunOptions } from '../../../src/messaging/kafkajs/pipelinedRun.ts';
import type { PartitionBatch } from '../../../src/messaging/transport.ts';

/** What the lanes ask of kafkajs's consumer, written down. */
function fakeConsumer() {
  const calls: string[] = [];
  const consumer = {
    pause: (tps: { topic: string; partitions?: number[] }[]) => calls.push(`pause ${tps.map((t) => `${t.topic}${t.partitions ? `[${t.partitions}]` : ''}`)}`),
    resume: (tps: { topic: string; partitions?: number[] }[]) => calls.push(`resume ${tps.map((t) => `${t.topic}${t.partitions ? `[${t.partitions}]` : ''}`)}`),
    seek: ({ topic, partition, offset }: { topic: string; partition: number; offset: string }) => calls.push(`seek ${topic}[${partition}] ${offset}`),
  };
  return { consumer: consumer as unknown as Consumer, calls };
}

const quietLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined } as unknown as Logger;

/** A fetched batch as kafkajs's runner hands it over: messages at `offsets`, its last offset resolved by the lanes. */
function payloadOf(topic: string, partition: number, offsets: number[], resolved: string[]): EachBatchPayload {
  return {
    batch: { topic, partition, messages: offsets.map((o) => ({ key: null, value: Buffer.from(String(o)), headers: {}, offset: String(o), timestamp: '0' })), lastOffset: () => String(offsets.at(-1)) },
    resolveOffset: (offset: string) => resolved.push(`${topic}[${partition}] ${offset}`),
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
}

/** Lanes over `consumer` with quiet defaults: one lane at a time, commits that succeed. */
const lanesOn = (consumer: Consumer, options: Partial<PipelinedRunOptions> & Pick<PipelinedRunOptions, 'eachBatch'>) =>
  pipelinedRun({ consumer, logger: quietLogger, fetchedAt: () => 0, partitionsConcurrently: 1, commitOffsets: async () => undefined, ...options });

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the pipelined consume loop', () => {
  it('hands each batch over at once, keeps a partition in order, and joins what queued while its lane was busy', async () => {
    const { consumer } = fakeConsumer();
    const handled: string[] = [];
    const releases: (() => void)[] = [];
    const resolved: string[] = [];
    const { eachBatch } = lanesOn(consumer, {
      partitionsConcurrently: 2,
      eachBatch: async (batch: PartitionBatch) => {
        handled.push(`${batch.topic}[${batch.partition}] ${batch.messages.map((m) => m.offset).join(',')}`);
        await new Promise<void>((release) => releases.push(release));
      },
    });
    // The runner's eachBatch returns before the handler is done: the next fetch need not wait.
    await eachBatch(payloadOf('t', 0, [0, 1], resolved));
    await eachBatch(payloadOf('t', 0, [2], resolved));
    await eachBatch(payloadOf('t', 0, [3], resolved));
    await eachBatch(payloadOf('t', 1, [0], resolved));
    expect(resolved).toEqual(['t[0] 1', 't[0] 2', 't[0] 3', 't[1] 0']);
    expect(handled).toEqual(['t[0] 0,1', 't[1] 0']);
    releases.shift()?.();
    await settle();
    // Partition 0's next two batches, queued meanwhile, are handled as one, after the first.
    expect(handled).toEqual(['t[0] 0,1', 't[1] 0', 't[0] 2,3']);
    releases.forEach((release) => release());
  });

  it('gives the partition that has waited longest the next turn', async () => {
    const { consumer } = fakeConsumer();
    const handled: string[] = [];
    const releases: (() => void)[] = [];
    const { eachBatch, run } = lanesOn(consumer, {
      eachBatch: async (batch: PartitionBatch) => {
        handled.push(`${batch.partition}:${batch.messages[0]!.offset}`);
        await new Promise<void>((release) => releases.push(release));
      },
    });
    await eachBatch(payloadOf('t', 0, [0], []));
    await eachBatch(payloadOf('t', 1, [0], []));
    await eachBatch(payloadOf('t', 0, [1], []));
    releases.shift()?.();
    await settle();
    // Partition 0 has a batch again, but partition 1's came first.
    expect(handled).toEqual(['0:0', '1:0']);
    releases.shift()?.();
    await settle();
    expect(handled).toEqual(['0:0', '1:0', '0:1']);
    releases.forEach((release) => release());
    await run.drain();
  });

  it('coalesces offset commits: one in flight, then the newest offset of each partition', async () => {
    const { consumer } = fakeConsumer();
    const commits: string[][] = [];
    let finishFirst: () => void = () => undefined;
    const { eachBatch, run } = lanesOn(consumer, {
      partitionsConcurrently: 3,
      commitOffsets: async (offsets) => {
        commits.push(offsets.map((o) => `${o.topic}[${o.partition}] ${o.offset}`));
        if (commits.length === 1) await new Promise<void>((resolve) => (finishFirst = resolve));
      },
      eachBatch: async (batch: PartitionBatch) => {
        for (const m of batch.messages) await batch.commit(String(Number(m.offset) + 1));
      },
    });
    await eachBatch(payloadOf('t', 0, [0], []));
    await settle();
    await eachBatch(payloadOf('t', 0, [1, 2], []));
    await eachBatch(payloadOf('t', 1, [7], []));
    await settle();
    finishFirst();
    await run.drain();
    expect(commits).toEqual([['t[0] 1'], ['t[0] 3', 't[1] 8']]);
  });

  it('sends no offset of a membership that ended before its commit went out', async () => {
    const { consumer } = fakeConsumer();
    const commits: string[][] = [];
    let finishFirst: () => void = () => undefined;
    const { eachBatch, run } = lanesOn(consumer, {
      commitOffsets: async (offsets) => {
        commits.push(offsets.map((o) => `${o.topic}[${o.partition}] ${o.offset}`));
        if (commits.length === 1) await new Promise<void>((resolve) => (finishFirst = resolve));
      },
      eachBatch: async (batch: PartitionBatch) => {
        await batch.commit(String(Number(batch.messages.at(-1)!.offset) + 1));
      },
    });
    await eachBatch(payloadOf('t', 0, [0], []));
    await settle();
    await eachBatch(payloadOf('t', 0, [1, 2], []));
    await settle();
    // A rebalance while 3 waits behind the commit in flight: the partition may be another member's now.
    run.forgetQueued();
    finishFirst();
    await run.drain();
    expect(commits).toEqual([['t[0] 1']]);
  });

  it('reads a failed batch again from its first uncommitted offset, after a backoff, and drops what was queued behind it', async () => {
    const { consumer, calls } = fakeConsumer();
    let failures = 1;
    const handled: string[] = [];
    let fail: () => void = () => undefined;
    const failing = new Promise<void>((resolve) => (fail = resolve));
    const { eachBatch, run } = lanesOn(consumer, {
      eachBatch: async (batch: PartitionBatch) => {
        await batch.commit(String(Number(batch.messages[0]!.offset) + 1));
        if (failures-- > 0) {
          await failing;
          throw new Error('Postgres is away');
        }
        handled.push(batch.messages.map((m) => m.offset).join(','));
      },
    });
    await eachBatch(payloadOf('t', 0, [5, 6, 7], []));
    await eachBatch(payloadOf('t', 0, [8], []));
    fail();
    await settle();
    // The first message was committed before the failure: the partition is read again from 6.
    expect(calls).toContain('seek t[0] 6');
    // A batch fetched after the seek waits out the backoff, then is handled.
    await eachBatch(payloadOf('t', 0, [6, 7], []));
    await settle();
    expect(handled).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // 8, queued behind the failure, was dropped: the seek reads it again after 6 and 7.
    expect(handled).toEqual(['6,7']);
    await run.drain();
  });

  it('pauses a partition whose lane is full and resumes it once the lane takes its queue; a paused topic holds its lanes', async () => {
    const { consumer, calls } = fakeConsumer();
    const releases: (() => void)[] = [];
    const { eachBatch, run } = lanesOn(consumer, {
      maxQueuedBatches: 2,
      eachBatch: () => new Promise<void>((release) => releases.push(release)),
    });
    await eachBatch(payloadOf('t', 0, [0], []));
    await eachBatch(payloadOf('t', 0, [1], []));
    await eachBatch(payloadOf('t', 0, [2], []));
    expect(calls).toEqual(['pause t[0]']);
    run.pause(['t']);
    releases.shift()?.();
    await settle();
    // The lane is held while its topic is paused; the caller's resume lets it take its queue.
    expect(releases).toHaveLength(0);
    run.resume(['t']);
    await settle();
    expect(releases).toHaveLength(1);
    expect(calls).toEqual(['pause t[0]', 'pause t', 'resume t', 'pause t[0]', 'resume t[0]']);
    releases.forEach((release) => release());
    await run.drain();
  });

  describe('a commit that finds this member out of its group', () => {
    /** Kafka's refusal as kafkajs raises it: a protocol error whose type says the membership is lost. */
    const unknownMember = () => Object.assign(new Error('The coordinator is not aware of this member'), { type: 'UNKNOWN_MEMBER_ID' });

    /** Lanes whose first commit waits until `refuse` is called, then is refused with UNKNOWN_MEMBER_ID. */
    function lanesWithRefusedCommit() {
      const { consumer } = fakeConsumer();
      let refuse: () => void = () => undefined;
      const refused = new Promise<void>((resolve) => (refuse = resolve));
      let commits = 0;
      const handled: string[] = [];
      const lanes = lanesOn(consumer, {
        commitOffsets: async () => {
          if (commits++ > 0) return;
          await refused;
          throw unknownMember();
        },
        eachBatch: async (batch: PartitionBatch) => {
          handled.push(batch.messages.map((m) => m.offset).join(','));
          await batch.commit(String(Number(batch.messages.at(-1)!.offset) + 1));
        },
      });
      return { ...lanes, handled, refuse };
    }

    it('makes the runner rejoin on the next batch of the same membership', async () => {
      const { eachBatch, handled, refuse } = lanesWithRefusedCommit();
      await eachBatch(payloadOf('t', 0, [0], []));
      await settle();
      refuse();
      await settle();
      // kafkajs's runner rejoins on this error; the batch is read again from the committed offset.
      await expect(eachBatch(payloadOf('t', 0, [1], []))).rejects.toThrow('not aware of this member');
      expect(handled).toEqual(['0']);
    });

    it('is let go when the group was joined again before the refusal came back', async () => {
      const { eachBatch, run, handled, refuse } = lanesWithRefusedCommit();
      await eachBatch(payloadOf('t', 0, [0], []));
      await settle();
      // kafkajs rejoined (a heartbeat heard of it first) while the commit waited behind the JoinGroup.
      run.forgetQueued();
      refuse();
      await settle();
      await eachBatch(payloadOf('t', 0, [0, 1], []));
      await settle();
      expect(handled).toEqual(['0', '0,1']);
      await run.drain();
    });

    it('is let go when the refusal came back during a rejoin that then completed', async () => {
      const { eachBatch, run, handled, refuse } = lanesWithRefusedCommit();
      await eachBatch(payloadOf('t', 0, [0], []));
      await settle();
      refuse();
      await settle();
      // The join ends after the refusal: the new membership's first batch is handled, not thrown.
      run.forgetQueued();
      await eachBatch(payloadOf('t', 0, [0, 1], []));
      await settle();
      expect(handled).toEqual(['0', '0,1']);
      await run.drain();
    });
  });
});
