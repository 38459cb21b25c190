import fc from 'fast-check';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { Message } from '@platformatic/kafka';
import { isBrokerAway } from '../../../src/messaging/platformatic/errors.ts';
import { javaPartitioner } from '../../../src/messaging/platformatic/producer.ts';
import { toMessage } from '../../../src/messaging/platformatic/toMessage.ts';

const { Partitioners } = kafkajs;

describe('the @platformatic/kafka transport', () => {
  it('routes every key to the partition kafkajs (and Java) route it to', () => {
    const kafkajsRoute = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.integer({ min: 1, max: 64 }), (bytes, partitions) => {
        const key = Buffer.from(bytes);
        const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
        const expected = kafkajsRoute({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect(javaPartitioner({ topic: 't', key, value: Buffer.alloc(0) }) % partitions).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('hands a header sent twice over as an array, as kafkajs does, so the message door sees it', () => {
    const headers = new Map<Buffer, Buffer>([
      [Buffer.from('command-type'), Buffer.from('AddPeriod')],
      [Buffer.from('issued-at'), Buffer.from('2026-12-05T00:00:00Z')],
      [Buffer.from('command-type'), Buffer.from('EnrollStudent')],
    ]);
    const message = { key: Buffer.from('k'), value: Buffer.from('v'), headers, topic: 't', partition: 0, offset: 41n, timestamp: 1_700_000_000_000n } as unknown as Message;
    expect(toMessage(message)).toEqual({
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      headers: { 'command-type': [Buffer.from('AddPeriod'), Buffer.from('EnrollStudent')], 'issued-at': Buffer.from('2026-12-05T00:00:00Z') },
      offset: '41',
      timestamp: '1700000000000',
    });
  });

  it('tells a broker away from other failures, anywhere in the error tree', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const network = Object.assign(new Error('Connection failed'), { code: 'PLT_KFK_NETWORK', cause: refused });
    const coordinator = Object.assign(new Error('not coordinator'), { code: 'PLT_KFK_PROTOCOL', apiId: 'NOT_COORDINATOR' });
    const several = Object.assign(new AggregateError([coordinator], 'Producing messages failed.'), { code: 'PLT_KFK_MULTIPLE' });
    const sequence = Object.assign(new Error('out of order'), { code: 'PLT_KFK_PROTOCOL', apiId: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect([network, several, { cause: refused }].map(isBrokerAway)).toEqual([true, true, true]);
    expect([sequence, new Error('bug'), undefined, Object.assign(new AggregateError([sequence], 'x'), { code: 'PLT_KFK_MULTIPLE' })].map(isBrokerAway)).toEqual([false, false, false, false]);
  });
});
