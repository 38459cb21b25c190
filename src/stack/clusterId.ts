import { randomBytes } from 'node:crypto';

/**
 * A new KRaft cluster id: 16 random bytes in URL-safe base64, as Kafka makes them. Like Kafka's
 * own Uuid.randomUuid, it never starts with '-': the storage tool's argument parser would read
 * such an id as an option (one id in 64 did, and the format failed).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
