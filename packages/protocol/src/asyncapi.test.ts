import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildAsyncApi } from './asyncapi.js';

describe('AsyncAPI document', () => {
  it('in docs/ is the one the schemas generate (run npm run docs:asyncapi after changing a message)', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../../docs/asyncapi.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildAsyncApi())));
  });

  it('describes every message with a payload schema', () => {
    const doc = buildAsyncApi() as {
      components: { messages: Record<string, { payload: { type?: string } }> };
    };
    expect(Object.keys(doc.components.messages).sort()).toEqual(
      ['ack', 'cmd', 'cmd_ack', 'events', 'hello', 'refusal', 'time', 'time_req'].sort(),
    );
  });
});
