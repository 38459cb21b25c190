import { spawnSync } from 'node:child_process';
import { StackError } from './errors.ts';

function requireMaven(): void {
  const probe = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new StackError(
      'MAVEN_MISSING',
      'Apache Maven is needed once, to fetch the Kafka and Apicurio Registry jars from Maven Central, ' +
        'but `mvn -v` failed. Install it (Debian: apt-get install maven) or use `docker compose up`.',
    );
  }
}

/** Runs one Maven goal in batch mode; a failure names the artifact and what Maven said. */
export function runMaven(args: string[], what: string, cwd: string): void {
  requireMaven();
  const result = spawnSync('mvn', ['-B', '-q', ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status === 0) return;
  const output = `${result.stdout}\n${result.stderr}`;
  const errors = output
    .split('\n')
    .filter((line) => line.includes('ERROR') && !line.includes('Help 1') && line.trim() !== '[ERROR]')
    .slice(0, 6)
    .join('\n');
  const offline = /Could not transfer|UnknownHost|Connection refused|Network is unreachable|timed out/i.test(output);
  throw new StackError(
    'MAVEN_FAILED',
    `Maven could not fetch ${what}.` +
      (offline
        ? ' Maven Central looks unreachable: check the network or the proxy in ~/.m2/settings.xml, then run `streamfold stack up` again.'
        : ' Check the version you asked for (see the README) and run `streamfold stack up` again.') +
      `\nMaven said:\n${errors}`,
  );
}
