import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { StreamfoldError, type CoreErrorCode, type Domain, type Projection, type Reactor } from '../core/index.ts';

/** A config that cannot be loaded: the message says what to write. */
const configurationError = (message: string) => new StreamfoldError<CoreErrorCode>('CONFIGURATION', message);

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

/** The names `loadConfig` looks for in the working directory, in this order. */
export const configFileNames = ['streamfold.config.ts', 'streamfold.config.mts', 'streamfold.config.js', 'streamfold.config.mjs'] as const;

const isTypeScript = (file: string) => /\.[mc]?ts$/.test(file);

/**
 * Loads STREAMFOLD_CONFIG or the first of `configFileNames` in the working directory; the file's
 * default export is the config. A JavaScript config is imported as it is; a TypeScript one needs
 * a loader, which the development loop has already and an installed package borrows from the
 * user's project (tsx).
 */
export async function loadConfig(file = process.env.STREAMFOLD_CONFIG || findConfigFile()): Promise<StreamfoldConfig> {
  const absolute = path.resolve(file);
  if (!fs.existsSync(absolute)) {
    throw configurationError(`No config at ${absolute}. Create streamfold.config.mjs or streamfold.config.ts (see the README) or set STREAMFOLD_CONFIG.`);
  }
  if (isTypeScript(absolute)) await registerTypeScriptLoader(absolute);
  const loaded = (await import(pathToFileURL(absolute).href)) as { default?: StreamfoldConfigInput };
  if (!loaded.default?.domains) throw configurationError(`${absolute} must \`export default defineConfig({ app, domains, ... })\`.`);
  return resolveConfig(loaded.default, path.dirname(absolute));
}

function findConfigFile(): string {
  return configFileNames.find((name) => fs.existsSync(name)) ?? configFileNames[0];
}

let typeScriptLoaderRegistered = false;

/**
 * Compiled, streamfold cannot import TypeScript by itself (Node 20 does not strip types): it
 * registers the tsx that the config's project has installed, or says how to get one.
 */
async function registerTypeScriptLoader(configFile: string): Promise<void> {
  // Running from the sources means a TypeScript loader (tsx, vitest) is in place already.
  if (import.meta.url.endsWith('.ts') || typeScriptLoaderRegistered) return;
  let tsx: string;
  try {
    tsx = createRequire(configFile).resolve('tsx');
  } catch {
    throw configurationError(`${path.basename(configFile)} is TypeScript and no TypeScript loader is installed in ${path.dirname(configFile)}: run \`npm i -D tsx\`, or write the config as streamfold.config.mjs.`);
  }
  // What `node --import tsx` loads: it registers tsx's hooks for the rest of the process.
  await import(pathToFileURL(tsx).href);
  typeScriptLoaderRegistered = true;
}
