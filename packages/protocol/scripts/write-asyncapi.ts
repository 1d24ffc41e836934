/** Writes docs/asyncapi.json from the protocol schemas. */
import { writeFileSync } from 'node:fs';
import { buildAsyncApi } from '../src/asyncapi.js';

writeFileSync(
  new URL('../../../docs/asyncapi.json', import.meta.url),
  JSON.stringify(buildAsyncApi(), null, 2) + '\n',
);
