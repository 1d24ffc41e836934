/** Listening on a port, with a clear message when it is taken. */
import type { Server } from 'node:net';

/** The port is in use and the user asked for exactly that port. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
    readonly hint: string,
  ) {
    super(`${what}: port ${port} is already in use by another program. ${hint}`);
  }
}

/**
 * Listens on `port`. When the port is taken and it was only a default, the next free one of the following
 * ten is used instead and `fellBack` says so; when it was asked for explicitly, PortInUseError is thrown.
 */
export async function listenWithFallback(
  server: Server,
  opts: { host: string; port: number; explicit: boolean; what: string; hint: string },
): Promise<{ port: number; fellBack: boolean }> {
  const candidates = opts.explicit || opts.port === 0 ? [opts.port] : range(opts.port, 11);
  for (const port of candidates) {
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => {
          server.off('listening', onListening);
          reject(err);
        };
        const onListening = () => {
          server.off('error', onError);
          resolve();
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(port, opts.host);
      });
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      return { port: bound, fellBack: bound !== opts.port };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      if (opts.explicit) throw new PortInUseError(port, opts.what, opts.hint);
    }
  }
  throw new PortInUseError(
    opts.port,
    opts.what,
    `${opts.hint} (ports ${opts.port}–${opts.port + 10} are all taken)`,
  );
}

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}
