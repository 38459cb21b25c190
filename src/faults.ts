/**
 * Fault hooks for the fault tests: with STREAMFOLD_FAULT_KILL_AT=<point> the process kills itself
 * with SIGKILL the Nth time (STREAMFOLD_FAULT_AFTER, default 1) it reaches that point. Unset, a
 * hook is one comparison.
 */
export type FaultPoint =
  | 'worker.after-dedup'
  | 'worker.after-append'
  | 'worker.after-commit'
  | 'worker.after-produce'
  | 'projector.after-commit';

const target = process.env.STREAMFOLD_FAULT_KILL_AT;
let remaining = Number(process.env.STREAMFOLD_FAULT_AFTER ?? '1');

export function faultPoint(point: FaultPoint): void {
  if (point !== target) return;
  remaining -= 1;
  if (remaining <= 0) process.kill(process.pid, 'SIGKILL');
}
