import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenWithFallback, PortInUseError } from './net.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function occupy(): Promise<number> {
  const s = createServer();
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as { port: number }).port;
}

describe('listening on a port that another program holds', () => {
  it('takes the next free port when the taken one was only a default, and says so', async () => {
    const taken = await occupy();
    const server = createServer();
    servers.push(server);
    const bound = await listenWithFallback(server, {
      host: '127.0.0.1',
      port: taken,
      explicit: false,
      what: 'embedded MQTT broker',
      hint: 'Set SDE_MQTT_PORT.',
    });
    expect(bound.fellBack).toBe(true);
    expect(bound.port).not.toBe(taken);
    expect(bound.port).toBeGreaterThan(taken);
    expect(bound.port).toBeLessThanOrEqual(taken + 10);
  });

  it('refuses with a message naming the port and the setting when the port was chosen explicitly', async () => {
    const taken = await occupy();
    const server = createServer();
    const attempt = listenWithFallback(server, {
      host: '127.0.0.1',
      port: taken,
      explicit: true,
      what: 'embedded MQTT broker',
      hint: 'Set SDE_MQTT_PORT to a free port.',
    });
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toThrow(new RegExp(`port ${taken} is already in use.*SDE_MQTT_PORT`));
  });
});
