import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPid } from '../../src/stack/processes.ts';

// CPU seconds each part of the pipeline spent during a run, from /proc (Linux): on a machine where
// every part shares two cores, the sum per command says what a command costs and who pays it.

const ticksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on

/** utime + stime of one process, in seconds; 0 once it is gone. */
export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return 0;
  }
}

/** Every process whose command name is `name` (Postgres runs a process per connection). */
function pidsNamed(name: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    });
}

export interface CpuParts {
  readonly workers: readonly (number | undefined)[];
  readonly projector: number | undefined;
  readonly stateDir: string;
}

export type CpuSample = Record<'sender' | 'worker' | 'projector' | 'broker' | 'registry' | 'postgres', number>;

/** Seconds of CPU so far: this process is the sender (the load generator). */
export function sampleCpu(parts: CpuParts): CpuSample {
  const own = process.cpuUsage();
  return {
    sender: (own.user + own.system) / 1e6,
    worker: parts.workers.reduce((sum: number, pid) => sum + cpuSecondsOf(pid), 0),
    projector: cpuSecondsOf(parts.projector),
    broker: cpuSecondsOf(readPid(path.join(parts.stateDir, 'kafka.pid'))),
    registry: cpuSecondsOf(readPid(path.join(parts.stateDir, 'registry.pid'))),
    postgres: pidsNamed('postgres').reduce((sum, pid) => sum + cpuSecondsOf(pid), 0),
  };
}

/** Write system calls a process has made (`syscw` in /proc/<pid>/io); 0 once it is gone. */
function writeCallsOf(pid: number | 'self' | undefined): number {
  if (pid === undefined) return 0;
  try {
    return Number(/syscw: (\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export type WriteSample = Record<'sender' | 'worker' | 'projector', number>;

/**
 * Write calls so far of the Node processes (this one is the sender). Each of their writes is one
 * message to the broker or Postgres, and each is answered by one: their sum, doubled, counts the
 * messages a command makes (a broker's or Postgres's own writes would count file writes as well).
 */
export function sampleWrites(parts: CpuParts): WriteSample {
  return {
    sender: writeCallsOf('self'),
    worker: parts.workers.reduce((sum: number, pid) => sum + writeCallsOf(pid), 0),
    projector: writeCallsOf(parts.projector),
  };
}

/** Each part's growth between two samples per command, under `label(part)`, and the growth of all parts together. */
function perCommand<Part extends string>(before: Record<Part, number>, after: Record<Part, number>, commands: number, label: (part: Part) => string) {
  const shares: Record<string, number> = {};
  let total = 0;
  for (const part of Object.keys(before) as Part[]) {
    total += after[part] - before[part];
    shares[label(part)] = (after[part] - before[part]) / commands;
  }
  return { shares, total };
}

/** Writes per command of each Node process between two samples, and the messages they make with their answers. */
export function writesPerCommand(before: WriteSample, after: WriteSample, commands: number): Record<string, number> {
  const { shares, total } = perCommand(before, after, commands, (part) => `writes ${part}`);
  return { ...shares, messages: (2 * total) / commands };
}

/** CPU microseconds per command of each part between two samples, and the machine's share used. */
export function cpuPerCommand(before: CpuSample, after: CpuSample, commands: number, seconds: number): Record<string, number> {
  // Per millionth of the commands: seconds of CPU per command, in microseconds.
  const { shares, total } = perCommand(before, after, commands / 1e6, (part) => `cpu ${part} µs`);
  return { ...shares, 'cpu total µs': (total / commands) * 1e6, 'cores busy %': (100 * total) / seconds / os.cpus().length };
}
