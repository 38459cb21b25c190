import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../src/gateway/http.ts';
import { createAdminHandle } from '../../../src/gateway/kafkaAdmin.ts';
import type { Transport, TransportAdmin } from '../../../src/messaging/transport.ts';

/** A transport whose admins only count their connects and disconnects (pure code under test: the handle). */
function countingTransport() {
  const counts = { connects: 0, disconnects: 0 };
  const admin = { connect: async () => void counts.connects++, disconnect: async () => void counts.disconnects++ } as unknown as TransportAdmin;
  return { counts, transport: { admin: () => admin } as unknown as Transport };
}

describe("the gateway's one Kafka admin connection", () => {
  it('keeps the connection through a refusal, and reconnects after a failure', async () => {
    const { counts, transport } = countingTransport();
    const handle = createAdminHandle(transport);
    expect(await handle.use(async () => 'first')).toBe('first');
    await expect(handle.use(async () => Promise.reject(new HttpError(404, 'no message at that offset')))).rejects.toThrow('no message');
    expect(await handle.use(async () => 'after the refusal')).toBe('after the refusal');
    expect(counts).toEqual({ connects: 1, disconnects: 0 });

    await expect(handle.use(async () => Promise.reject(new Error('socket closed')))).rejects.toThrow('socket closed');
    expect(await handle.use(async () => 'after the failure')).toBe('after the failure');
    expect(counts).toEqual({ connects: 2, disconnects: 1 });
    await handle.close();
    expect(counts.disconnects).toBe(2);
  });
});
