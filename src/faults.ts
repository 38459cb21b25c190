/**
 * The points of the pipeline where a crash matters most, and the hook the fault tests install at
 * them (docs/reliability.md, "How a run works"). The worker and projector take hooks in their
 * options and call nothing when given none; the CLI installs the module STREAMFOLD_FAULT_HOOKS
 * names (src/cli/faultHooks.ts). No production path imports a test module.
 */
export type FaultPoint =
  | 'worker.after-dedup'
  | 'worker.after-append'
  | 'worker.after-commit'
  | 'worker.after-produce'
  | 'projector.after-commit';

export interface FaultHooks {
  /** Called each time the process reaches `point`; a fault test's hook may kill the process there. */
  at(point: FaultPoint): void;
}

export const noFaults: FaultHooks = { at: () => undefined };
