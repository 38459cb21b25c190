#!/usr/bin/env node
// Installed from the package, the CLI runs the compiled dist/. In a checkout of the repository
// (src/ beside bin/) it runs the TypeScript sources through tsx, so the development loop and the
// tests that start the CLI never run a stale build.
import fs from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
if (fs.existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import('../dist/cli/main.js');
}
