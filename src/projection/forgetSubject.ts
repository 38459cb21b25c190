import { forgetSubject as destroyKey, inTransaction, readStream, unsealEvents, type Forgotten } from '../eventlog/index.ts';
import type { Runtime } from '../runtime.ts';
import { inTodaysShape } from './todaysShape.ts';
import { schemaOf } from './names.ts';
import { listVersions } from './versions.ts';

export interface ForgetReport extends Forgotten {
  /** Each projection version schema whose `forget` hook ran. */
  readonly readModels: readonly string[];
}

/**
 * Forgets a data subject: destroys their key (recorded with who asked), so every sealed copy of
 * their personal fields reads as erased, then tells each projection with a `forget` hook, in
 * every version schema it has, to erase what it copied in plain text.
 */
export async function forgetDataSubject(runtime: Pick<Runtime, 'pool' | 'readPool' | 'config' | 'codec'>, subject: string, by: string): Promise<ForgetReport> {
  const forgotten = await destroyKey(runtime.pool, subject, by);
  // Read after the key is gone: the subject's own stream, with their personal fields erased.
  const stream = await inTodaysShape(runtime.codec, await unsealEvents(runtime.pool, await readStream(runtime.pool, forgotten.subject), runtime.codec.personalFields));
  const readModels: string[] = [];
  for (const projection of runtime.config.projections) {
    const { forget } = projection;
    if (!forget) continue;
    const versions = (await listVersions(runtime.readPool, projection.name)).filter((v) => v.status !== 'retired').map((v) => v.version);
    for (const version of new Set([...versions, projection.version])) {
      const schema = schemaOf({ name: projection.name, version });
      const { rowCount } = await runtime.readPool.query('select 1 from information_schema.schemata where schema_name = $1', [schema]);
      if (!rowCount) continue;
      await inTransaction(runtime.readPool, (client) => forget(forgotten.subject, client, schema, stream));
      readModels.push(schema);
    }
  }
  return { ...forgotten, readModels };
}
