import { createServer } from 'node:net';

/**
 * Returns a port on 127.0.0.1 that was free a moment ago and has nothing listening on it,
 * for a server a test is about to start, or for a connection that must be refused.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port found'))));
    });
  });
}
