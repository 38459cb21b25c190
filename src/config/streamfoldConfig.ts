import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Domain, Projection, Reactor } from '../core/index.ts';

/** What a team lists in streamfold.config.ts: its domains, projections and reactors. */
export interface StreamfoldConfig {
  /** Prefix of every consumer group; two apps on one cluster need different names. */
  readonly app: string;
  readonly avroDir: string;
  readonly topicsDir: string;
  // Domains differ in their command, event and state types; the runtime treats them alike.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly domains: readonly Domain<any, any, any>[];
  readonly projections: readonly Projection[];
  readonly reactors: readonly Reactor[];
  /** Absolute folder the relative paths above are read from. */
  readonly baseDir: string;
}

export type StreamfoldConfigInput = Omit<StreamfoldConfig, 'baseDir' | 'avroDir' | 'topicsDir' | 'projections' | 'reactors'> &
  Partial<Pick<StreamfoldConfig, 'avroDir' | 'topicsDir' | 'projections' | 'reactors'>>;

export function defineConfig(input: StreamfoldConfigInput): StreamfoldConfigInput {
  return input;
}

export function resolveConfig(input: StreamfoldConfigInput, baseDir: string): StreamfoldConfig {
  return {
    avroDir: 'avro',
    topicsDir: 'topics',
    projections: [],
    reactors: [],
    ...input,
    baseDir,
  };
}

export const avroDirOf = (c: StreamfoldConfig) => path.resolve(c.baseDir, c.avroDir);
export const topicsDirOf = (c: StreamfoldConfig) => path.resolve(c.baseDir, c.topicsDir);

/** Loads STREAMFOLD_CONFIG or ./streamfold.config.ts; the file's default export is the config. */
export async function loadConfig(file = process.env.STREAMFOLD_CONFIG ?? 'streamfold.config.ts'): Promise<StreamfoldConfig> {
  const absolute = path.resolve(file);
  if (!fs.existsSync(absolute)) {
    throw new Error(`No config at ${absolute}. Create streamfold.config.ts (see the README) or set STREAMFOLD_CONFIG.`);
  }
  const loaded = (await import(pathToFileURL(absolute).href)) as { default?: StreamfoldConfigInput };
  if (!loaded.default?.domains) throw new Error(`${absolute} must \`export default defineConfig({ app, domains, ... })\`.`);
  return resolveConfig(loaded.default, path.dirname(absolute));
}
