#!/usr/bin/env node
// The CLI runs streamfold's TypeScript sources (and a user's streamfold.config.ts) through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
