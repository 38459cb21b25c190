import path from 'node:path';
import { integer, readSettings, type Settings } from '../config/settings.ts';

/** The local development stack's settings (`streamfold stack`), beside the runtime's it also needs. */
export interface StackSettings extends Settings {
  readonly kafkaPort: number;
  readonly kafkaControllerPort: number;
  readonly kafkaVersion: string;
  readonly kafkaHeapMb: number;
  readonly registryPort: number;
  readonly registryDatabase: string;
  readonly apicurioVersion: string;
  readonly registryHeapMb: number;
  readonly cacheDir: string;
  readonly stateDir: string;
}

export function readStackSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): StackSettings {
  const home = path.resolve(cwd, env.STREAMFOLD_HOME ?? '.streamfold');
  const kafkaPort = integer(env, 'STREAMFOLD_KAFKA_PORT', 9092);
  return {
    ...readSettings(env),
    kafkaPort,
    kafkaControllerPort: integer(env, 'STREAMFOLD_KAFKA_CONTROLLER_PORT', kafkaPort + 1),
    kafkaVersion: env.STREAMFOLD_KAFKA_VERSION ?? '4.1.1',
    kafkaHeapMb: integer(env, 'STREAMFOLD_KAFKA_HEAP_MB', 768),
    registryPort: integer(env, 'STREAMFOLD_REGISTRY_PORT', 8081),
    registryDatabase: env.STREAMFOLD_REGISTRY_DATABASE ?? 'streamfold_registry',
    apicurioVersion: env.STREAMFOLD_APICURIO_VERSION ?? '3.0.9',
    registryHeapMb: integer(env, 'STREAMFOLD_REGISTRY_HEAP_MB', 384),
    cacheDir: path.resolve(cwd, env.STREAMFOLD_CACHE_DIR ?? path.join(home, 'cache')),
    stateDir: path.resolve(cwd, env.STREAMFOLD_STATE_DIR ?? path.join(home, 'state')),
  };
}
