/** Test support: an in-process aedes MQTT broker on a random port, with device authentication. */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';

/** A running test broker. */
export interface TestBroker {
  url: string;
  port: number;
  /** Stops accepting and drops every connection (a center going down). */
  close(): Promise<void>;
}

/**
 * Starts a broker on `port` (0: a random one). A client whose username is a known device must give its secret
 * as password and use its id as client id, and may publish only to its own uplink; other clients (the
 * responder) are let in as they are.
 */
export async function startBroker(
  secretOf: (id: string) => string | undefined,
  port = 0,
): Promise<TestBroker> {
  const aedes = await Aedes.createBroker();
  aedes.authenticate = (client, username, password, done) => {
    const secret = username === undefined ? undefined : secretOf(username);
    if (secret === undefined) return done(null, username === 'responder');
    const ok = client.id === username && password?.toString() === secret;
    if (ok) return done(null, true);
    const error = Object.assign(new Error('bad credentials'), { returnCode: 4 as const });
    done(error, false);
  };
  aedes.authorizePublish = (client, packet, done) => {
    if (!client || client.id === 'responder') return done(null);
    if (packet.topic !== `sde/v1/d/${client.id}/up`) return done(new Error('not your topic'));
    done(null);
  };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `mqtt://127.0.0.1:${bound}`,
    port: bound,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
