import { createConnection, createServer, type Socket } from 'node:net';

/** A loopback TCP relay that a test can cut to simulate a server going down. */
export interface TcpProxy {
  readonly port: number;
  /** Stops listening and resets every relayed connection. */
  cut(): Promise<void>;
}

/** Starts a relay on a free 127.0.0.1 port to `host:port`. */
export function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const server = createServer((client) => {
    const upstream = createConnection({ host, port });
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address !== 'object' || address === null) {
        reject(new Error('the proxy has no TCP address'));
        return;
      }
      const cut = () =>
        new Promise<void>((done) => {
          server.close(() => done());
          for (const socket of sockets) socket.resetAndDestroy();
        });
      resolve({ port: address.port, cut });
    });
  });
}

/** Splits `mongodb://[user:password@]host:port/...` into host and port. */
export function mongoHostAndPort(uri: string): { host: string; port: number } {
  const match = /^mongodb:\/\/(?:[^@/]*@)?([^:/,?]+)(?::(\d+))?[/?]?/.exec(uri);
  if (!match?.[1]) throw new Error(`cannot proxy ${uri}: expected mongodb://host:port/db`);
  return { host: match[1], port: Number(match[2] ?? 27017) };
}
