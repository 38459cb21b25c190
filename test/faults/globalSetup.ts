import fs from 'node:fs';
import path from 'node:path';
import { faultSettings, faultStack } from './faultStack.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The fault suite's own Kafka and registry (ports 19092, 18081): started here when down, stopped at
 * the end only if this run started them. Fault runs kill and stop these servers, so two runs at
 * once would break each other: a lock file in the state folder refuses the second one.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const settings = faultSettings();
  fs.mkdirSync(settings.stateDir, { recursive: true });
  const lock = path.join(settings.stateDir, 'fault-run.pid');
  const holder = Number(fs.existsSync(lock) ? fs.readFileSync(lock, 'utf8') : NaN);
  if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
    throw new Error(`another fault run (pid ${holder}) is using the fault stack in ${settings.stateDir}; wait for it to finish`);
  }
  fs.writeFileSync(lock, String(process.pid));
  const started = await faultStack.up(settings);
  console.log(`[faults] own stack up: kafka ${settings.kafkaBrokers.join(',')}, registry ${settings.registryUrl}`);
  return async () => {
    if (started.length > 0) await faultStack.down(settings, started);
    fs.rmSync(lock, { force: true });
    console.log(started.length > 0 ? '[faults] own stack stopped' : '[faults] own stack left as found');
  };
}
