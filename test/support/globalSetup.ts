import { readStackSettings } from '../../src/stack/settings.ts';
import { stackDown, stackUp } from '../../src/stack/stack.ts';
import { startContainerStack } from './containerStack.ts';

/**
 * Starts the stack when it is not up and stops only what it started. With
 * STREAMFOLD_STACK=containers and a Docker engine, testcontainers runs the servers instead.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.STREAMFOLD_STACK === 'containers') return startContainerStack();
  const settings = readStackSettings();
  const started = await stackUp(settings, (line) => console.log(`[stack] ${line}`));
  return async () => {
    if (started.length > 0) await stackDown(settings, started, (line) => console.log(`[stack] ${line}`));
  };
}
