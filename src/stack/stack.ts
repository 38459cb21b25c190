import fs from 'node:fs';
import path from 'node:path';
import type { StackSettings } from './settings.ts';
import { isStackError, StackError } from './errors.ts';
import { kafkaServer } from './kafka.ts';
import { ensureDatabase } from '../eventlog/database.ts';
import { postgresHealthy } from './postgres.ts';
import {
  ensurePortFree,
  isOurProcess,
  javaCommand,
  lastLines,
  portOwner,
  readPid,
  startDetached,
  stopProcess,
} from './processes.ts';
import { registryServer } from './registry.ts';
import type { ManagedServer } from './server.ts';

export interface ServerStatus {
  name: string;
  address: string;
  pid: number | undefined;
  healthy: boolean;
  managed: boolean;
}

type Report = (line: string) => void;

export const managedServers = (s: StackSettings): ManagedServer[] => [kafkaServer(s), registryServer(s)];

const pidFile = (s: StackSettings, server: ManagedServer) => path.join(s.stateDir, `${server.name}.pid`);
const logFile = (s: StackSettings, server: ManagedServer) => path.join(s.stateDir, `${server.name}.log`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function runningPid(s: StackSettings, server: ManagedServer, report: Report): number | undefined {
  const file = pidFile(s, server);
  const pid = readPid(file);
  if (pid !== undefined && isOurProcess(pid, server.processMarker)) return pid;
  if (fs.existsSync(file)) {
    report(`${server.name}: removing stale pid file ${file} (pid ${pid ?? '?'} is not a running ${server.name})`);
    fs.rmSync(file);
  }
  return undefined;
}

async function waitHealthy(s: StackSettings, server: ManagedServer, pid: number): Promise<void> {
  const deadline = Date.now() + s.startTimeoutMs;
  while (Date.now() < deadline) {
    if (await server.healthy()) return;
    if (!isOurProcess(pid, server.processMarker)) {
      throw new StackError(
        'SERVER_DIED',
        `${server.name} exited while starting. The end of ${logFile(s, server)}:\n${lastLines(logFile(s, server))}`,
      );
    }
    await sleep(500);
  }
  await stopProcess(pid);
  throw new StackError(
    'START_TIMEOUT',
    `${server.name} did not become healthy within ${s.startTimeoutMs} ms and was stopped. ` +
      `Raise STREAMFOLD_START_TIMEOUT_MS on a slow machine. The end of ${logFile(s, server)}:\n${lastLines(logFile(s, server))}`,
  );
}

async function startServer(s: StackSettings, server: ManagedServer, java: string, report: Report): Promise<number> {
  for (const { port, envVar } of server.ports) await ensurePortFree(port, server.name, envVar);
  await server.prepare(java);
  const { args, env, cwd } = server.launch(java);
  const pid = startDetached(java, args, { cwd, env, logFile: logFile(s, server), pidFile: pidFile(s, server) });
  report(`${server.name}: starting (pid ${pid}, log ${logFile(s, server)})`);
  try {
    await waitHealthy(s, server, pid);
  } catch (error) {
    await stopProcess(pid);
    fs.rmSync(pidFile(s, server), { force: true });
    throw error;
  }
  report(`${server.name}: healthy at ${server.address}`);
  return pid;
}

/**
 * Brings Postgres's database, Kafka and the registry up; a no-op for what already runs.
 * Returns the names of the servers this call started, so a caller can stop only those.
 * When one server fails, the ones this call started are stopped again: nothing is left half-up.
 */
export async function stackUp(s: StackSettings, report: Report = console.log): Promise<string[]> {
  fs.mkdirSync(s.stateDir, { recursive: true });
  fs.mkdirSync(s.cacheDir, { recursive: true });
  if ((await ensureDatabase(s.databaseUrl)) === 'created') report(`postgres: created the database of ${s.databaseUrl}`);

  const toStart: ManagedServer[] = [];
  for (const server of managedServers(s)) {
    const pid = runningPid(s, server, report);
    if (pid === undefined) {
      toStart.push(server);
      continue;
    }
    await waitHealthy(s, server, pid);
    report(`${server.name}: already up (pid ${pid})`);
  }
  if (toStart.length === 0) return [];

  const java = javaCommand();
  for (const server of toStart) server.install();
  const results = await Promise.allSettled(toStart.map((server) => startServer(s, server, java, report)));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);
  const started = toStart.filter((_, i) => results[i]?.status === 'fulfilled');
  if (failures.length > 0) {
    for (const server of started) await stopServer(s, server, report);
    // Every failure at once, so fixing one does not just reveal the next.
    if (failures.length === 1) throw failures[0];
    const first = failures[0] as Error & { code?: string };
    throw new StackError(isStackError(first) ? first.code : 'SERVER_DIED', failures.map((f) => f.message).join('\n'), { cause: failures });
  }
  return started.map((server) => server.name);
}

async function stopServer(s: StackSettings, server: ManagedServer, report: Report): Promise<void> {
  const pid = runningPid(s, server, report);
  if (pid !== undefined) {
    await stopProcess(pid);
    report(`${server.name}: stopped (pid ${pid})`);
  }
  fs.rmSync(pidFile(s, server), { force: true });
}

/** Stops the named servers (all by default). Postgres is not ours to stop. */
export async function stackDown(s: StackSettings, names?: string[], report: Report = console.log): Promise<void> {
  const servers = managedServers(s).filter((server) => !names || names.includes(server.name));
  // The registry first: it keeps nothing in Kafka, but stopping it first keeps its log quiet.
  for (const server of servers.reverse()) await stopServer(s, server, report);
}

export async function stackStatus(s: StackSettings): Promise<ServerStatus[]> {
  const quiet = () => undefined;
  const managed = await Promise.all(
    managedServers(s).map(async (server) => {
      const pid = runningPid(s, server, quiet);
      return {
        name: server.name,
        address: server.address,
        pid,
        healthy: pid !== undefined && (await server.healthy()),
        managed: true,
      };
    }),
  );
  const pgUrl = new URL(s.databaseUrl);
  const pgPort = Number(pgUrl.port || 5432);
  const pgOwner = pgUrl.hostname === '127.0.0.1' || pgUrl.hostname === 'localhost' ? portOwner(pgPort) : undefined;
  const postgres: ServerStatus = {
    name: 'postgres',
    address: `${pgUrl.hostname}:${pgPort}${pgUrl.pathname}`,
    pid: pgOwner ? Number(/pid (\d+)/.exec(pgOwner)?.[1]) : undefined,
    healthy: await postgresHealthy(s.databaseUrl),
    managed: false,
  };
  return [...managed, postgres];
}

export function formatStatus(rows: ServerStatus[]): string {
  const lines = rows.map((r) =>
    [
      r.name.padEnd(9),
      (r.healthy ? 'healthy' : r.pid ? 'unhealthy' : 'down').padEnd(10),
      `pid ${r.pid ?? '-'}`.padEnd(11),
      r.address,
      r.managed ? '' : '(not managed by streamfold)',
    ].join(' '),
  );
  return ['server    health     pid         address', ...lines].join('\n');
}
