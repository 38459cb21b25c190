import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { describe, it, expect } from 'vitest';
import { runScenario } from './scenario.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The machine's Postgres cluster (version and name) as pg_lsclusters lists it first. */
function cluster(): [string, string] {
  const listed = spawnSync('pg_lsclusters', ['-h'], { encoding: 'utf8' }).stdout.trim().split('\n')[0]?.split(/\s+/) ?? [];
  return [listed[0] ?? '15', listed[1] ?? 'main'];
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// Fault 5: Postgres restarted with `-m immediate` under load. It is the machine's one server, shared
// with everyone's tests, so this runs only when asked: STREAMFOLD_FAULTS_RESTART_POSTGRES=1.
describe.runIf(process.env.STREAMFOLD_FAULTS_RESTART_POSTGRES === '1')('fault 5: Postgres restarted (immediate) during load', () => {
  it('retries the chunks whose commit was cut off; a commit whose acknowledgement was lost hits the dedup table', async () => {
    const report = await runScenario({
      label: 'fault-5-postgres-restart',
      workers: 2,
      // A dense load, so a restart is likely to cut a transaction or its COMMIT in flight.
      load: { aggregates: 150, rounds: 60, intervalMs: 100 },
      inject: async ({ pipeline, injected }) => {
        const [version, name] = cluster();
        for (const after of [2_500, 2_000, 2_000]) {
          await sleep(after);
          const restart = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'restart', '-m', 'immediate'], { encoding: 'utf8' });
          if (restart.status !== 0) throw new Error(`pg_ctlcluster restart failed: ${restart.stderr}`);
          injected('postgresRestarts');
          while (!(await postgresAnswers(pipeline.settings.databaseUrl))) await sleep(200);
        }
      },
    });
    // runScenario fails the test on a broken invariant; say so here too.
    expect(report.verdicts.filter((v) => !v.ok)).toEqual([]);
  });
});
