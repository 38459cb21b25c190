import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createPool } from '../../src/eventlog/index.ts';
import { ensureDatabase, withDatabase } from '../../src/eventlog/database.ts';
import { readSettings } from '../../src/config/settings.ts';

const peerDir = path.join(import.meta.dirname, 'peer');

/** Emmett lives in its own folder with its own lockfile, installed on first use. */
function ensurePeerInstalled(): void {
  if (fs.existsSync(path.join(peerDir, 'node_modules/@event-driven-io/emmett-postgresql'))) return;
  execSync('npm ci --no-audit --no-fund', { cwd: peerDir, stdio: 'inherit' });
}

type EmmettPeer = {
  emmettCommandsPerSecond(databaseUrl: string, commands: number, aggregates: number, concurrency: number): Promise<number>;
};

/**
 * The same domain's commands: Emmett's command handler vs. streamfold's worker path (given as
 * `streamfoldRun`, commands/s), over the same number of aggregates on the same Postgres server.
 */
export async function peerComparison(commands: number, aggregates: number, streamfoldRun: () => Promise<number>): Promise<Record<string, number>> {
  ensurePeerInstalled();
  // A path in a variable keeps tsc from following it: Emmett's types exist only after the peer's own install.
  const peerModule = './peer/emmettCounter.ts';
  const { emmettCommandsPerSecond } = (await import(peerModule)) as EmmettPeer;
  // A fresh database each run, dropped before rather than after: Emmett's pools may linger.
  const database = 'streamfold_bench_peer';
  const admin = createPool(withDatabase(readSettings().databaseUrl, 'postgres'), 1);
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
  const url = withDatabase(readSettings().databaseUrl, database);
  await ensureDatabase(url);
  const emmett = await emmettCommandsPerSecond(url, commands, aggregates, 8);
  const streamfold = await streamfoldRun();
  return { streamfold, emmett, ratio: streamfold / emmett };
}
