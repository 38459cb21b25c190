import type { FaultHooks, FaultPoint } from '../../src/faults.ts';

/**
 * The fault hooks a fault test installs in the streamfold processes it starts (STREAMFOLD_FAULT_HOOKS
 * names this file; see killAt in faultHooks.ts): with STREAMFOLD_FAULT_KILL_AT=<point> the process
 * kills itself with SIGKILL the Nth time (STREAMFOLD_FAULT_AFTER, default 1) it reaches that point.
 */
const target = process.env.STREAMFOLD_FAULT_KILL_AT as FaultPoint | undefined;
let remaining = Number(process.env.STREAMFOLD_FAULT_AFTER ?? '1');

export const faultHooks: FaultHooks = {
  at(point) {
    if (point !== target) return;
    remaining -= 1;
    if (remaining <= 0) process.kill(process.pid, 'SIGKILL');
  },
};
