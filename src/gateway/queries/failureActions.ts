import type { Projection } from '../../core/index.ts';
import { inTransaction, listFailures, markProjected, readEventsByUuid, resolveParkedFailure, unsealEvents, type FailureRow } from '../../eventlog/index.ts';
import { clearHalt, haltTarget } from '../../projection/clearHalt.ts';
import type { Runtime } from '../../runtime.ts';
import { HttpError } from '../http.ts';

/** The failures of every version of one projection (its projectors are `<name>_v<N>`). */
async function failuresOf(runtime: Runtime, projection: Projection): Promise<FailureRow[]> {
  const prefix = `${projection.name}_v`;
  return (await listFailures(runtime.readPool)).filter((f) => f.projector.startsWith(prefix) && /^\d+$/.test(f.projector.slice(prefix.length)));
}

/** What a resume or skip did: the version it acted on, its status, and how many halted events it cleared (0: it was not halted). */
export interface HaltCleared {
  readonly projection: string;
  readonly version: number;
  readonly status: string;
  readonly cleared: number;
}

/**
 * `streamfold projection resume|skip` over HTTP: acts on the version asked for, else the live one,
 * else the one the code declares (a version that does not exist is a 404).
 */
export async function clearHaltOf(runtime: Runtime, projection: Projection, action: 'skip' | 'resume', version?: bigint): Promise<HaltCleared> {
  const target = await haltTarget(runtime.readPool, projection, version === undefined ? undefined : Number(version));
  if ('refusal' in target) throw new HttpError(404, target.refusal);
  const cleared = await clearHalt(runtime.readPool, projection, target.version, action);
  return { projection: projection.name, version: target.version, status: target.status, cleared };
}

async function parkedFailure(runtime: Runtime, projection: Projection, eventUuid: string): Promise<FailureRow> {
  const found = (await failuresOf(runtime, projection)).find((f) => f.event_uuid === eventUuid && f.status === 'parked');
  if (!found) throw new HttpError(404, `${projection.name} has no parked failure for event ${eventUuid}`);
  return found;
}

/**
 * Applies a parked event again, now (after a fix): in one transaction it is marked projected,
 * applied, and its failure resolved. If it throws again nothing changes and the error is answered.
 */
export async function retryParked(runtime: Runtime, projection: Projection, eventUuid: string): Promise<FailureRow> {
  const failure = await parkedFailure(runtime, projection, eventUuid);
  const [event] = await unsealEvents(runtime.pool, await readEventsByUuid(runtime.pool, [eventUuid]), runtime.codec.personalFields);
  if (!event) throw new HttpError(404, `event ${eventUuid} is not in the event log`);
  try {
    await inTransaction(runtime.readPool, async (client) => {
      if (await markProjected(client, failure.projector, eventUuid)) await projection.apply(event, client, failure.projector);
      await resolveParkedFailure(client, failure.projector, eventUuid, 'resumed');
    });
  } catch (error) {
    throw new HttpError(409, `${failure.projector} could not apply ${event.eventType} ${eventUuid} again: ${(error as Error).message}`);
  }
  return failure;
}

/** Marks a parked event projected without applying it, so a redelivery will not try it again either. */
export async function skipParked(runtime: Runtime, projection: Projection, eventUuid: string): Promise<FailureRow> {
  const failure = await parkedFailure(runtime, projection, eventUuid);
  await inTransaction(runtime.readPool, async (client) => {
    await markProjected(client, failure.projector, eventUuid);
    await resolveParkedFailure(client, failure.projector, eventUuid, 'skipped');
  });
  return failure;
}
