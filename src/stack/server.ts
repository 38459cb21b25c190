import fs from 'node:fs';
import path from 'node:path';

/** A Java server the stack installs from Maven Central and runs in the background. */
export interface ManagedServer {
  readonly name: string;
  readonly address: string;
  readonly ports: readonly { port: number; envVar: string }[];
  /** A string in the process's command line that tells our server from a recycled pid. */
  readonly processMarker: string;
  /** Fetches jars into the cache once; later runs reuse them. */
  install(): void;
  /** Everything before a start: storage formatting, databases, config files. */
  prepare(java: string): Promise<void>;
  launch(java: string): { args: string[]; env: NodeJS.ProcessEnv; cwd: string };
  healthy(): Promise<boolean>;
}

export function markInstalled(folder: string): void {
  fs.writeFileSync(path.join(folder, '.installed'), new Date().toISOString());
}
export const isInstalled = (folder: string) => fs.existsSync(path.join(folder, '.installed'));

export const projectRoot = path.resolve(import.meta.dirname, '../..');
