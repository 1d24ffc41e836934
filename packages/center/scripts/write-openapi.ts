/** Writes docs/openapi.json from the cases API's zod schemas. */
import { writeFileSync } from 'node:fs';
import { buildOpenApi } from '../src/cases/openapi.js';

writeFileSync(
  new URL('../../../docs/openapi.json', import.meta.url),
  JSON.stringify(buildOpenApi(), null, 2) + '\n',
);
