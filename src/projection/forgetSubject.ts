import { forgetSubject as destroyKey, inTransaction, type Forgotten } from '../eventlog/index.ts';
import type { Runtime } from '../runtime.ts';
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
export async function forgetDataSubject(runtime: Pick<Runtime, 'pool' | 'readPool' | 'config'>, subject: string, by: string): Promise<ForgetReport> {
  const forgotten = await destroyKey(runtime.pool, subject, by);
  const readModels: string[] = [];
  for (const projection of runtime.config.projections) {
    if (!projection.forget) continue;
    const versions = (await listVersions(runtime.readPool, projection.name)).filter((v) => v.status !== 'retired').map((v) => v.version);
    for (const version of new Set([...versions, projection.version])) {
      const schema = schemaOf({ name: projection.name, version });
      const { rowCount } = await runtime.readPool.query('select 1 from information_schema.schemata where schema_name = $1', [schema]);
      if (!rowCount) continue;
      await inTransaction(runtime.readPool, (client) => (projection.forget as NonNullable<typeof projection.forget>)(forgotten.subject, client, schema));
      readModels.push(schema);
    }
  }
  return { ...forgotten, readModels };
}
