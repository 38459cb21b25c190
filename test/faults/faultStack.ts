import path from 'node:path';
import { readStackSettings, type StackSettings } from '../../src/stack/settings.ts';
import { isOurProcess, readPid } from '../../src/stack/processes.ts';
import { kafkaServer } from '../../src/stack/kafka.ts';
import { registryServer } from '../../src/stack/registry.ts';
import { stackDown, stackUp } from '../../src/stack/stack.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');

/**
 * The fault suite's own Kafka and registry: same code as `streamfold stack up`, other ports, state
 * folder and registry database, so killing them never touches the stack other tests share.
 */
export const faultStackEnv = {
  STREAMFOLD_STATE_DIR: path.join(projectRoot, '.streamfold/faults-state'),
  STREAMFOLD_KAFKA_PORT: '19092',
  STREAMFOLD_KAFKA_CONTROLLER_PORT: '19093',
  STREAMFOLD_REGISTRY_PORT: '18081',
  STREAMFOLD_REGISTRY_DATABASE: 'streamfold_registry_faults',
  KAFKA_BROKERS: '127.0.0.1:19092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18081/apis/ccompat/v7',
} as const;

export const faultSettings = (): StackSettings => readStackSettings({ ...process.env, ...faultStackEnv }, projectRoot);

/** True when this process runs against the fault stack (the `faults` vitest project), not the shared one. */
export const onFaultStack = () => process.env.KAFKA_BROKERS === faultStackEnv.KAFKA_BROKERS;

const quiet = () => undefined;

function pidOf(s: StackSettings, name: 'kafka' | 'registry'): number | undefined {
  const server = name === 'kafka' ? kafkaServer(s) : registryServer(s);
  const pid = readPid(path.join(s.stateDir, `${name}.pid`));
  return pid !== undefined && isOurProcess(pid, server.processMarker) ? pid : undefined;
}

/** Refuses to touch a server unless it is the fault stack's: the shared one is never ours to stop. */
function assertFaultStack(s: StackSettings): void {
  if (s.stateDir !== faultStackEnv.STREAMFOLD_STATE_DIR || s.kafkaPort !== Number(faultStackEnv.STREAMFOLD_KAFKA_PORT)) {
    throw new Error(`refusing to inject a server fault outside the fault stack (state ${s.stateDir}, port ${s.kafkaPort})`);
  }
}

export const faultStack = {
  up: (s = faultSettings()) => stackUp(s, quiet),
  down: (s = faultSettings(), names?: string[]) => stackDown(s, names, quiet),

  /** SIGKILLs a server of the fault stack; resolves once it is gone. */
  async kill(name: 'kafka' | 'registry', s = faultSettings()): Promise<void> {
    assertFaultStack(s);
    const pid = pidOf(s, name);
    if (pid === undefined) throw new Error(`the fault stack's ${name} is not running`);
    process.kill(pid, 'SIGKILL');
    while (isOurProcess(pid, name === 'kafka' ? kafkaServer(s).processMarker : registryServer(s).processMarker)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  },

  /** Stops a server cleanly (SIGTERM). */
  async stop(name: 'kafka' | 'registry', s = faultSettings()): Promise<void> {
    assertFaultStack(s);
    await stackDown(s, [name], quiet);
  },

  /** Starts whatever of the fault stack is down and waits until it is healthy. */
  async start(s = faultSettings()): Promise<void> {
    assertFaultStack(s);
    await stackUp(s, quiet);
  },
};
