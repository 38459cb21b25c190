import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FaultHooks } from '../faults.ts';

/**
 * The fault hooks a fault test installs in a worker or projector process it starts: the module
 * STREAMFOLD_FAULT_HOOKS names, which exports `faultHooks` (test/faults/selfKill.ts kills the
 * process at a point). Unset, nothing is loaded and the pipeline calls no hook.
 */
export async function faultHooksFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<FaultHooks | undefined> {
  const file = env.STREAMFOLD_FAULT_HOOKS;
  if (!file) return undefined;
  const loaded = (await import(pathToFileURL(path.resolve(file)).href)) as { faultHooks?: FaultHooks };
  if (typeof loaded.faultHooks?.at !== 'function') throw new Error(`STREAMFOLD_FAULT_HOOKS=${file} exports no faultHooks with an at(point) function.`);
  return loaded.faultHooks;
}
