import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean; engines?: { node?: string } | string[] }>;
};

/** The oldest Node of each line our `engines` accepts: 20.19.4, 22.18.0, 24.6.0 (@platformatic/kafka's floor). */
const oldestAccepted = manifest.engines.node.split('||').map((range) => semver.minVersion(range.trim())!.version);

describe('the Node versions an adopting team runs', () => {
  it('are accepted by every package the library installs, not only by the library', () => {
    // A transitive dependency that wants a newer Node warns (EBADENGINE) or, with engine-strict,
    // fails the install of a team on Node 20: light-my-request 6.8 brought cookie 2 (node >= 22).
    const refusing = Object.entries(lock.packages)
      .filter(([where, p]) => where !== '' && !p.dev && !Array.isArray(p.engines) && p.engines?.node)
      .flatMap(([where, p]) => {
        const range = (p.engines as { node: string }).node;
        const refused = oldestAccepted.filter((version) => !semver.satisfies(version, range));
        return refused.length > 0 ? [`${where} wants node ${range}, refuses ${refused.join(', ')}`] : [];
      });
    expect(oldestAccepted).toEqual(['20.19.4', '22.18.0', '24.6.0']);
    expect(refusing).toEqual([]);
  });
});
