import type { Transport, TransportAdmin } from '../messaging/transport.ts';
import { withDeadline } from './deadline.ts';
import { isHttpError } from './http.ts';

export interface AdminHandle {
  /** Runs `work` with a connected admin, within `ms`; a failure (not a refusal) drops the connection so the next call reconnects. */
  use<T>(work: (admin: TransportAdmin) => Promise<T>, ms?: number): Promise<T>;
  close(): Promise<void>;
}

/** One Kafka admin connection for the gateway's lifetime, made when first needed. */
export function createAdminHandle(transport: Transport): AdminHandle {
  let connected: Promise<TransportAdmin> | undefined;
  const connect = () => {
    connected ??= (async () => {
      const admin = transport.admin();
      await admin.connect();
      return admin;
    })();
    return connected;
  };
  // Never waits on a connection that may never come: the disconnect runs once it does.
  const drop = () => {
    const admin = connected;
    connected = undefined;
    return admin?.then((a) => a.disconnect()).catch(() => undefined);
  };
  return {
    async use(work, ms = 5000) {
      try {
        return await withDeadline(
          connect().then((admin) => work(admin)),
          ms,
          'Kafka',
        );
      } catch (error) {
        // A refusal (no such topic, no message at that offset) says nothing about the connection.
        if (!isHttpError(error)) void drop();
        throw error;
      }
    },
    async close() {
      await withDeadline(drop() ?? Promise.resolve(), 2000, 'Kafka').catch(() => undefined);
    },
  };
}
