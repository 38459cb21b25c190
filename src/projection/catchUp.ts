import type { Projection } from '../core/index.ts';
import type { Runtime } from '../runtime.ts';
import { failureNotes } from '../eventlog/index.ts';
import { clearCommands } from './failures.ts';
import { topicsOf, versionLag } from './lag.ts';
import { projectionGroupOf, projectorNameOf } from './names.ts';
import type { FailureNotes } from './replayProgress.ts';

export interface CatchUp {
  /** Events applied when the watch began (a resumed replay starts above zero) and when it caught up. */
  readonly appliedAtStart: bigint;
  readonly applied: bigint;
  readonly seconds: number;
  /** Events per second applied during the watch. */
  readonly rate: number;
}

/** Events the versions have applied so far, of the events their topics hold now. */
export async function appliedSoFar(runtime: Runtime, versions: readonly { projection: Projection; version: number }[]): Promise<{ applied: bigint; total: bigint }> {
  const admin = runtime.transport.admin();
  await admin.connect();
  try {
    let [applied, total] = [0n, 0n];
    for (const { projection, version } of versions) {
      const at = { name: projection.name, version };
      const one = await versionLag(admin, runtime.readPool, topicsOf(runtime, projection), projectorNameOf(at), projectionGroupOf(runtime.config.app, at, runtime.readDatabase));
      [applied, total] = [applied + one.applied, total + one.total];
    }
    return { applied, total };
  } finally {
    await admin.disconnect();
  }
}

/**
 * The events halting these versions now, each with the commands that clear it, and how many
 * events they skipped because another version had skipped them.
 */
export async function failureNotesOf(runtime: Runtime, versions: readonly { projection: Pick<Projection, 'name'>; version: number }[]): Promise<FailureNotes> {
  const named = new Map(versions.map(({ projection, version }) => [projectorNameOf({ name: projection.name, version }), { name: projection.name, version }]));
  const { halts, followedSkips } = await failureNotes(runtime.readPool, [...named.keys()]);
  return {
    followedSkips,
    halts: halts.map((h) => {
      const { name, version } = named.get(h.projector) ?? { name: h.projector, version: 0 };
      return { name, version, eventUuid: h.event_uuid, eventType: h.event_type, error: h.error, ...clearCommands({ projection: name, version }, runtime.readDatabase) };
    }),
  };
}

/**
 * Polls the versions' lag, reporting events done of total, until each has applied everything its
 * topics held when the watch began. That head, not the moving one: under a steady load the lag
 * is never zero at the instant of a look, though the version keeps up.
 * Returns undefined when `stopping` says so first.
 */
export async function watchCatchUp(
  runtime: Runtime,
  versions: readonly { projection: Projection; version: number }[],
  onProgress: (done: number, total: number, notes: FailureNotes) => void,
  options: { pollMs?: number; stopping?: () => boolean } = {},
): Promise<CatchUp | undefined> {
  const admin = runtime.transport.admin();
  await admin.connect();
  try {
    const started = Date.now();
    let appliedAtStart: bigint | undefined;
    const head = new Map<string, bigint>();
    for (let look = 0; ; look++) {
      let [total, applied, behindHead] = [0n, 0n, 0n];
      for (const { projection, version } of versions) {
        const at = { name: projection.name, version };
        const group = projectionGroupOf(runtime.config.app, at, runtime.readDatabase);
        const one = await versionLag(admin, runtime.readPool, topicsOf(runtime, projection), projectorNameOf(at), group);
        [total, applied] = [total + one.total, applied + one.applied];
        for (const p of one.partitions) {
          const key = `${projectorNameOf(at)} ${p.topic} ${p.partition}`;
          if (look === 0) head.set(key, p.end);
          const target = head.get(key) ?? 0n;
          if (p.next < target) behindHead += target - p.next;
        }
      }
      appliedAtStart ??= applied;
      onProgress(Number(applied), Number(total), await failureNotesOf(runtime, versions));
      if (behindHead === 0n) {
        const seconds = (Date.now() - started) / 1000;
        return { appliedAtStart, applied, seconds, rate: seconds > 0 ? Number(applied - appliedAtStart) / seconds : 0 };
      }
      if (options.stopping?.()) return undefined;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  } finally {
    await admin.disconnect();
  }
}
