import { spawnStreamfold, type Child } from '../support/childProcesses.ts';

/** What a fleet slot runs: `streamfold worker` or `streamfold project`, and what it prints when ready. */
export interface SlotSpec {
  readonly name: string;
  readonly args: string[];
  readonly ready: string;
  /** Extra environment for the nth incarnation (1-based): fault hooks, slow handlers. */
  readonly env?: (incarnation: number) => NodeJS.ProcessEnv;
}

export interface FleetEvent {
  readonly at: number;
  readonly slot: string;
  /**
   * stop-timeout: the process did not stop within the grace after SIGTERM and was SIGKILLed.
   * stall-exit: the stall watchdog's exit 70 on fetches left unanswered, in a run that expects it.
   */
  readonly what: 'started' | 'ready' | 'hook-kill' | 'harness-kill' | 'exited' | 'stop-timeout' | 'crashed' | 'stall-exit' | 'paused' | 'resumed';
  readonly detail?: string;
}

interface Slot {
  readonly spec: SlotSpec;
  child: Child;
  incarnation: number;
  /** Set while the harness itself kills the child, so the exit is not taken for a hook kill. */
  killing: boolean;
  outputs: string[];
  hold: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Child processes of `streamfold worker|project`, restarted like a process supervisor would
 * whenever one dies (a fault hook's SIGKILL, the harness's kill, a crash). Every start, death,
 * pause and resume is recorded with its time; a death no fault caused is a crash, which fails the run.
 */
export class Fleet {
  readonly events: FleetEvent[] = [];
  private readonly slots = new Map<string, Slot>();
  private stopping = false;

  private readonly restartDelayMs = 300;

  constructor(
    private readonly baseEnv: NodeJS.ProcessEnv,
    /**
     * Whether the stall watchdog's exit on unanswered fetches is this run's expected recovery, not a
     * crash: under network faults kafkajs can leave a consumer whose fetches are never answered
     * (docs/reliability.md, finding 5), and the exit is how a process gets out of it.
     */
    private readonly stallExitsExpected = false,
  ) {}

  private record(slot: string, what: FleetEvent['what'], detail?: string) {
    this.events.push({ at: Date.now(), slot, what, detail });
  }

  private spawn(slot: Slot): void {
    slot.incarnation += 1;
    const env = { ...this.baseEnv, ...slot.spec.env?.(slot.incarnation) };
    const child = spawnStreamfold(slot.spec.args, env);
    // A life armed with a fault hook is the only one whose own SIGKILL is the fault's doing.
    const armed = Boolean(env.STREAMFOLD_FAULT_HOOKS && env.STREAMFOLD_FAULT_KILL_AT);
    slot.child = child;
    slot.killing = false;
    this.record(slot.spec.name, 'started', `incarnation ${slot.incarnation}`);
    let announcedReady = false;
    child.process.stderr?.on('data', () => {
      if (!announcedReady && child.output().includes(slot.spec.ready)) {
        announcedReady = true;
        this.record(slot.spec.name, 'ready', `incarnation ${slot.incarnation}`);
      }
    });
    void child.exited.then(async (how) => {
      slot.outputs.push(child.output());
      const crash = (when: string) => `exit ${how} ${when} (incarnation ${slot.incarnation}): ${child.output().trimEnd().split('\n').slice(-5).join('\n')}`;
      if (this.stopping) {
        if (how === 'SIGKILL') this.record(slot.spec.name, 'stop-timeout', String(how));
        else if (how === 0 || how === 'SIGTERM') this.record(slot.spec.name, 'exited', String(how));
        else this.record(slot.spec.name, 'crashed', crash('while stopping'));
      } else if (how === 'SIGKILL' && slot.killing) this.record(slot.spec.name, 'harness-kill', `incarnation ${slot.incarnation}`);
      else if (how === 'SIGKILL' && armed) this.record(slot.spec.name, 'hook-kill', `incarnation ${slot.incarnation}`);
      else if (slot.killing) this.record(slot.spec.name, 'exited', String(how));
      else if (how === 70 && this.stallExitsExpected && child.output().includes('"reason":"fetches-unanswered"')) this.record(slot.spec.name, 'stall-exit', crash('on fetches left unanswered'));
      else this.record(slot.spec.name, 'crashed', crash(how === 'SIGKILL' ? 'in a life with no fault hook armed' : 'that no fault asked for'));
      if (this.stopping || slot.hold) return;
      await sleep(this.restartDelayMs);
      if (!this.stopping && !slot.hold) this.spawn(slot);
    });
  }

  /** Starts a slot and waits until its process says it is running. */
  async start(spec: SlotSpec, timeoutMs = 120_000): Promise<void> {
    const slot: Slot = { spec, child: undefined as unknown as Child, incarnation: 0, killing: false, outputs: [], hold: false };
    this.slots.set(spec.name, slot);
    this.spawn(slot);
    await this.waitReady(spec.name, timeoutMs);
  }

  private slot(name: string): Slot {
    const slot = this.slots.get(name);
    if (!slot) throw new Error(`no fleet slot ${name}`);
    return slot;
  }

  /** Waits until the slot's current incarnation has said it is running. */
  async waitReady(name: string, timeoutMs = 120_000): Promise<void> {
    const slot = this.slot(name);
    const deadline = Date.now() + timeoutMs;
    while (!slot.child.output().includes(slot.spec.ready)) {
      if (Date.now() > deadline) throw new Error(`${name} did not get ready within ${timeoutMs} ms:\n${slot.child.output().slice(-2000)}`);
      await sleep(100);
    }
  }

  /** SIGKILLs the slot's process; the fleet restarts it unless `hold` is set. */
  async kill(name: string, options: { hold?: boolean } = {}): Promise<void> {
    const slot = this.slot(name);
    slot.hold = options.hold ?? false;
    slot.killing = true;
    slot.child.process.kill('SIGKILL');
    await slot.child.exited;
  }

  /** Starts a held slot again. */
  release(name: string): void {
    const slot = this.slot(name);
    slot.hold = false;
    if (slot.child.process.exitCode !== null || slot.child.process.signalCode !== null) this.spawn(slot);
  }

  pause(name: string): void {
    this.slot(name).child.process.kill('SIGSTOP');
    this.record(name, 'paused');
  }

  resume(name: string): void {
    this.slot(name).child.process.kill('SIGCONT');
    this.record(name, 'resumed');
  }

  pid(name: string): number | undefined {
    return this.slot(name).child.process.pid;
  }

  count(what: FleetEvent['what'], slotPrefix = ''): number {
    return this.events.filter((e) => e.what === what && e.slot.startsWith(slotPrefix)).length;
  }

  /**
   * Every exit no fault caused (a crash, a SIGKILL in a life with no hook armed, a failed stop): the
   * fleet restarts such a process like a supervisor would, and the run fails on it (I6).
   */
  unexpectedExits(): string[] {
    return this.events.filter((e) => e.what === 'crashed').map((e) => `${e.slot} crashed: ${e.detail}`);
  }

  lastEventAt(): number {
    return this.events.at(-1)?.at ?? Date.now();
  }

  /** Every output of every incarnation so far, the running ones included. */
  outputs(slotPrefix = ''): string[] {
    return [...this.slots.values()].filter((s) => s.spec.name.startsWith(slotPrefix)).flatMap((s) => {
      const running = s.child.process.exitCode === null && s.child.process.signalCode === null ? [s.child.output()] : [];
      return [...s.outputs, ...running];
    });
  }

  /** Each slot's outputs, every incarnation in order, for a failure report. */
  outputsBySlot(): Map<string, string> {
    return new Map([...this.slots.values()].map((s) => [s.spec.name, this.outputs(s.spec.name).join('\n----- next incarnation -----\n')]));
  }

  /** SIGTERM each process (SIGCONT first, in case it is paused), SIGKILL after graceMs. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.slots.values()].map(async (slot) => {
        const { process: child } = slot.child;
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await slot.child.exited;
        clearTimeout(timer);
      }),
    );
  }
}
