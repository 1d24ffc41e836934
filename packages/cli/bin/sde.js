#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so that `npx sde` works straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
