/** Writes docs/openapi.json from the cases API's zod schemas, formatted as the repository's Prettier does. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { buildOpenApi } from '../src/cases/openapi.js';

const file = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url));
const options = (await resolveConfig(file)) ?? {};
writeFileSync(file, await format(JSON.stringify(buildOpenApi()), { ...options, filepath: file }));
