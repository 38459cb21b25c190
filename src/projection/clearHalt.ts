import type { Projection } from '../core/index.ts';
import { resumeProjector, skipHaltedEvent, type Pool } from '../eventlog/index.ts';
import { projectorNameOf } from './names.ts';
import { listVersions, type VersionStatus } from './versions.ts';

/** The version a skip or resume acts on, or why the one asked for cannot be. */
export type HaltTarget = { readonly version: number; readonly status: VersionStatus | 'unrecorded' } | { readonly refusal: string };

/**
 * `projection skip|resume` acts on the version asked for, else the live one (the version readers
 * see), else the one the code declares. A version asked for must be recorded and not retired.
 */
export async function haltTarget(db: Pool, projection: Projection, asked?: number): Promise<HaltTarget> {
  const versions = await listVersions(db, projection.name);
  const known = versions.filter((v) => v.status !== 'retired');
  if (asked === undefined) {
    const live = known.find((v) => v.status === 'live');
    if (live) return { version: live.version, status: live.status };
    return { version: projection.version, status: known.find((v) => v.version === projection.version)?.status ?? 'unrecorded' };
  }
  const found = known.find((v) => v.version === asked);
  if (found) return { version: found.version, status: found.status };
  const listed = known.map((v) => `${v.version} (${v.status})`).join(', ') || 'none yet';
  const retired = versions.some((v) => v.version === asked) ? ' (it was retired)' : '';
  return { refusal: `${projection.name} has no version ${asked}${retired}; its versions are ${listed}` };
}

/** Skips (marks projected without applying) or resumes (retries) the event halting one version; the number of events cleared, 0 when it was not halted. */
export async function clearHalt(db: Pool, projection: Projection, version: number, action: 'skip' | 'resume'): Promise<number> {
  const projector = projectorNameOf({ name: projection.name, version });
  return action === 'skip' ? skipHaltedEvent(db, projector) : resumeProjector(db, projector);
}
