import crypto from 'node:crypto';
import { isUuid } from './ids.ts';

/**
 * A version-5 (SHA-1, name-based) uuid, as RFC 9562 and the `uuid` package's `v5(name, namespace)`
 * make it. The worker names every event it decides this way, so one-shot hashing of one buffer
 * saves the hash object and the byte arrays the package builds per call
 * (test/unit/core/nameBasedUuid.unit.test.ts holds the two equal).
 */
export function uuidV5(name: string, namespace: string): string {
  if (!isUuid(namespace)) throw new TypeError(`the namespace ${JSON.stringify(namespace)} is not a uuid`);
  const nameBytes = Buffer.byteLength(name);
  const input = Buffer.allocUnsafe(16 + nameBytes);
  input.write(namespace.replaceAll('-', ''), 0, 16, 'hex');
  input.write(name, 16, nameBytes, 'utf8');
  const hash = crypto.hash('sha1', input, 'buffer') as unknown as Buffer;
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
