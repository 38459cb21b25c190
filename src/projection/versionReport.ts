import type { TransportAdmin } from '../messaging/transport.ts';
import type { Runtime } from '../runtime.ts';
import { topicsOf, versionLag } from './lag.ts';
import { projectionGroupOf, projectorNameOf } from './names.ts';
import { listVersions, type VersionStatus } from './versions.ts';

export interface VersionReport {
  readonly projection: string;
  readonly version: number;
  readonly status: VersionStatus;
  readonly verifiedAt: Date | null;
  readonly liveSince: Date | null;
  /** Events on its topics it has not applied; undefined for a retired version. */
  readonly lag: bigint | undefined;
}

/** Every recorded version of the config's projections, with its lag. */
export async function versionReports(runtime: Runtime, admin: TransportAdmin): Promise<VersionReport[]> {
  const reports: VersionReport[] = [];
  for (const projection of runtime.config.projections) {
    for (const row of await listVersions(runtime.readPool, projection.name)) {
      const at = { name: projection.name, version: row.version };
      const lag =
        row.status === 'retired'
          ? undefined
          : (await versionLag(admin, runtime.readPool, topicsOf(runtime, projection), projectorNameOf(at), projectionGroupOf(runtime.config.app, at, runtime.readDatabase))).lag;
      reports.push({ projection: row.projection, version: row.version, status: row.status, verifiedAt: row.verified_at, liveSince: row.live_since, lag });
    }
  }
  return reports;
}

export function formatVersionReports(reports: readonly VersionReport[]): string[] {
  const lines = ['projection versions (readers query the schema named after the projection; its views point at the live version)'];
  if (reports.length === 0) lines.push('  none recorded yet');
  for (const r of reports) {
    const verified = r.verifiedAt ? `verified ${r.verifiedAt.toISOString()}` : 'not verified';
    const lag = r.lag === undefined ? '' : `, lag ${r.lag}`;
    lines.push(`  ${`${r.projection} v${r.version}`.padEnd(28)} ${(r.status === 'live' ? 'LIVE' : r.status).padEnd(10)} ${verified}${lag}`);
  }
  return lines;
}
