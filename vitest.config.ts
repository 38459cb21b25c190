import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import BrokerFaultFirst from './test/faults/brokerFirst.ts';
import { faultStackEnv } from './test/faults/faultStack.ts';

// Tests get a database of their own unless told otherwise, so the demo's data stays apart.
process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/streamfold_test';

// The whole fault matrix (about 10 minutes, a Kafka and a registry of its own) runs only when asked
// for: `npm run test:faults` or `vitest run --project faults`. `npm test` runs its fast subset in the
// integration project.
const argv = process.argv;
const faultsAsked =
  process.env.STREAMFOLD_FAULTS === '1' || argv.includes('--project=faults') || argv.some((arg, i) => arg === 'faults' && argv[i - 1] === '--project');

// Tests and docs/snippets.ts import the package by name: inside the repo that is the sources, never
// a dist/ that may be stale or missing (the adoption test installs the packed tarball instead).
const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));
const resolve = {
  alias: [
    { find: /^streamfold$/, replacement: src('index.ts') },
    { find: /^streamfold\/core$/, replacement: src('core/index.ts') },
    { find: /^streamfold\/testing$/, replacement: src('testing/deciderSpecification.ts') },
  ],
};

export default defineConfig({
  resolve,
  test: {
    // Fault 4 first: see test/faults/brokerFirst.ts (finding 16). A sequencer is vitest's root option only.
    sequence: { sequencer: BrokerFaultFirst },
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          // The fault suite's invariant checker is pure: its own tests run with the unit tests.
          include: ['test/unit/**/*.unit.test.ts', 'test/faults/**/*.unit.test.ts'],
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          // The fast fault subset (faults 1, 2 and 7) runs here too, against the shared stack:
          // it kills only its own worker and projector processes, never a server.
          // test/adoption packs the package and installs it into projects outside the repository.
          include: ['test/integration/**/*.int.test.ts', 'test/adoption/**/*.int.test.ts', 'test/faults/fast/*.fault.test.ts', 'test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/support/globalSetup.ts'],
          // One broker, one registry and Postgres on two cores: files run one after another.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      ...(faultsAsked ? [faultsProject()] : []),
    ],
  },
});

function faultsProject() {
  return {
    resolve,
    test: {
      name: 'faults',
      include: ['test/faults/**/*.fault.test.ts'],
      // A Kafka and a registry of its own (ports 19092, 18081), since faults kill and stop them.
      globalSetup: ['test/faults/globalSetup.ts'],
      env: { ...faultStackEnv },
      fileParallelism: false,
      testTimeout: 600_000,
      hookTimeout: 180_000,
    },
  };
}
