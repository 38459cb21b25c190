import type { Settings } from '../config/settings.ts';
import type { StreamfoldConfig } from '../config/streamfoldConfig.ts';
import { carrySkips, createPool, listSkips, type FailureRow } from '../eventlog/index.ts';
import { databaseExists, databaseNameOf, dropDatabase, withDatabase } from '../eventlog/database.ts';
import { openRuntime } from '../runtime.ts';
import { migrateEventLog } from '../setup.ts';
import { watchCatchUp, type CatchUp } from './catchUp.ts';
import { ProjectionVersionError } from './errors.ts';
import { deleteIdleGroups } from './groups.ts';
import { projectionGroupOf, projectorNameOf, versionOfProjector } from './names.ts';
import { startProjector } from './projector.ts';
import type { FailureNotes } from './replayProgress.ts';
import { verifyVersion, type Verification } from './verify.ts';

export interface RebuildResult {
  readonly database: string;
  readonly url: string;
  readonly catchUp: CatchUp;
  readonly verifications: Verification[];
}

/**
 * The skips in the read database readers use now (STREAMFOLD_READ_DATABASE_URL, else the event
 * log's): the operator chose to leave those events out, and a rebuild must not put them back.
 */
async function skipsReadersFollow(settings: Settings, rebuilding: string): Promise<{ from: string; skips: FailureRow[] }> {
  const url = process.env.STREAMFOLD_READ_DATABASE_URL || settings.databaseUrl;
  const from = databaseNameOf(url);
  if (from === rebuilding) return { from, skips: [] };
  const pool = createPool(url, 1);
  try {
    return { from, skips: await listSkips(pool) };
  } finally {
    await pool.end();
  }
}

/**
 * The second seed's deploy: a new read database (`nawhas_v3_1_2`), migrated, every projection of
 * the config replayed into it from offset zero under consumer groups of its own, then verified
 * against the event log. The event log stays where it is. An existing database is refused
 * unless `replace` says to drop it.
 */
export async function rebuildReadDatabase(
  settings: Settings,
  config: StreamfoldConfig,
  database: string,
  options: { replace?: boolean; partitionsConcurrently?: number; onProgress?: (done: number, total: number, notes: FailureNotes) => void; log?: (line: string) => void; stopping?: () => boolean } = {},
): Promise<RebuildResult | undefined> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) {
    throw new ProjectionVersionError('BAD_ARGUMENT', `--database ${database} is not a plain Postgres name: use lower-case letters, digits and _ (e.g. nawhas_v3_1_2)`);
  }
  if (database === databaseNameOf(settings.databaseUrl)) {
    throw new ProjectionVersionError('BAD_ARGUMENT', `${database} holds the event log (DATABASE_URL); a read database needs a name of its own`);
  }
  const log = options.log ?? (() => undefined);
  const url = withDatabase(settings.databaseUrl, database);
  const exists = await databaseExists(settings.databaseUrl, database);
  if (exists && !options.replace) {
    throw new ProjectionVersionError(
      'DATABASE_EXISTS',
      `database ${database} already exists; nothing was changed. Pass --replace to drop it and rebuild it, or choose another name.`,
    );
  }

  const { from, skips } = await skipsReadersFollow(settings, database);
  const runtime = await openRuntime(config, 'rebuild', settings, { readDatabaseUrl: url });
  try {
    const admin = runtime.transport.admin();
    await admin.connect();
    try {
      // Its groups must start from nothing: offsets left by an earlier build would skip events.
      await deleteIdleGroups(admin, config.projections.map((p) => projectionGroupOf(config.app, p, database)), `read database ${database}`);
    } finally {
      await admin.disconnect();
    }
    if (exists) {
      await dropDatabase(settings.databaseUrl, database);
      log(`dropped database ${database}`);
    }
    for (const file of await migrateEventLog({ ...settings, databaseUrl: url })) log(`migrated ${database}: ${file}`);
    const building = new Map(config.projections.map((p) => [p.name, projectorNameOf(p)]));
    const carried = await carrySkips(runtime.readPool, skips, (skip) => building.get(versionOfProjector(skip.projector)?.name ?? ''), from);
    if (carried > 0) log(`${carried} events skipped in ${from} will be skipped in ${database} too`);

    const running = [];
    for (const projection of config.projections) running.push(await startProjector(runtime, projection, { partitionsConcurrently: options.partitionsConcurrently }));
    let catchUp: CatchUp | undefined;
    try {
      catchUp = await watchCatchUp(
        runtime,
        config.projections.map((projection) => ({ projection, version: projection.version })),
        options.onProgress ?? (() => undefined),
        { stopping: options.stopping },
      );
    } finally {
      for (const part of running) await part.stop();
    }
    if (!catchUp) return undefined;
    const verifications = [];
    for (const projection of config.projections) verifications.push(await verifyVersion(runtime, projection));
    return { database, url, catchUp, verifications };
  } finally {
    await runtime.close();
  }
}
