// Starts the embedded broker's thread (embedded-broker.worker.ts). A worker does not inherit the TypeScript
// loader of the thread that starts it, so it registers its own before importing the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./embedded-broker.worker.ts');
