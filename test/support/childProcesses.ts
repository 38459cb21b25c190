import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from './isolatedPipeline.ts';

export interface Child {
  readonly process: ChildProcess;
  readonly output: () => string;
  /** Resolves with the exit code or signal once the process is gone. */
  readonly exited: Promise<number | string | null>;
}

/** Runs `streamfold <args>` as a child process; stop it with kill() and await `exited`. */
export function spawnStreamfold(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeArgs, path.join(projectRoot, 'bin/streamfold.mjs'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return { process: child, output: () => output, exited };
}

/** Waits until the child's output contains `text`. */
export async function waitForOutput(child: Child, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!child.output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}" from the child within ${timeoutMs} ms; it printed:\n${child.output()}`);
    if (child.process.exitCode !== null) throw new Error(`the child exited (${child.process.exitCode}) before printing "${text}":\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
