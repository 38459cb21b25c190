import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { StackSettings } from './settings.ts';
import { runMaven } from './maven.ts';
import { ensureDatabase, withDatabase } from '../eventlog/database.ts';
import { jdbcUrlFor } from './postgres.ts';
import { isInstalled, markInstalled, projectRoot, type ManagedServer } from './server.ts';

/**
 * Apicurio Registry 3.0.x: the newest line whose jars run on Java 17 (3.1 and later are built
 * for Java 21). It keeps its schemas in a Postgres database of its own, so they survive restarts.
 */
export function registryServer(s: StackSettings): ManagedServer {
  const home = path.join(s.cacheDir, `apicurio-registry-${s.apicurioVersion}`);
  const runnerJar = path.join(home, `apicurio-registry-app-${s.apicurioVersion}-runner.jar`);
  const artifact = `io.apicurio:apicurio-registry-app:${s.apicurioVersion}:zip:all`;

  return {
    name: 'registry',
    address: `http://127.0.0.1:${s.registryPort}/apis/ccompat/v7`,
    ports: [{ port: s.registryPort, envVar: 'STREAMFOLD_REGISTRY_PORT' }],
    // Tags the JVM with the state folder, so another checkout's registry is never taken for ours.
    processMarker: `-Dstreamfold.state=${s.stateDir}`,

    install() {
      if (isInstalled(home)) return;
      fs.mkdirSync(home, { recursive: true });
      runMaven(['dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${home}`], artifact, projectRoot);
      const zip = path.join(home, `apicurio-registry-app-${s.apicurioVersion}-all.zip`);
      // `jar` ships with every JDK, so no unzip program is needed.
      const unpack = spawnSync('jar', ['xf', zip], { cwd: home, encoding: 'utf8' });
      if (unpack.status !== 0 || !fs.existsSync(runnerJar)) {
        throw new Error(`Unpacking ${zip} failed (${unpack.stderr || 'no runner jar inside'}); delete ${home} and retry.`);
      }
      fs.rmSync(zip);
      markInstalled(home);
    },

    async prepare() {
      await ensureDatabase(withDatabase(s.databaseUrl, s.registryDatabase));
    },

    launch() {
      const db = jdbcUrlFor(s.databaseUrl, s.registryDatabase);
      return {
        cwd: home,
        env: {
          ...process.env,
          QUARKUS_HTTP_HOST: '127.0.0.1',
          QUARKUS_HTTP_PORT: String(s.registryPort),
          QUARKUS_LOG_CONSOLE_JSON: 'false',
          APICURIO_STORAGE_KIND: 'sql',
          APICURIO_STORAGE_SQL_KIND: 'postgresql',
          APICURIO_DATASOURCE_URL: db.jdbcUrl,
          APICURIO_DATASOURCE_USERNAME: db.user,
          APICURIO_DATASOURCE_PASSWORD: db.password,
        },
        args: [`-Xmx${s.registryHeapMb}m`, '-XX:+UseSerialGC', `-Dstreamfold.state=${s.stateDir}`, '-jar', runnerJar],
      };
    },

    async healthy() {
      try {
        const response = await fetch(`http://127.0.0.1:${s.registryPort}/apis/ccompat/v7/subjects`, {
          signal: AbortSignal.timeout(2000),
        });
        return response.ok;
      } catch {
        return false;
      }
    },
  };
}
