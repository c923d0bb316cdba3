import type { Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../log/logger.js';

/** An adapter's HTTP routes, added to the shared server (Slack at /slack/events, Teams at /api/messages). */
export type RouteMount = (app: Express) => void;

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly mounts: readonly RouteMount[];
  /** Runs on GET /healthz; a rejection turns the response into 503. */
  readonly healthCheck: () => Promise<void>;
  readonly logger: Logger;
}

export interface RunningHttpServer {
  readonly server: Server;
  /** The bound port, useful when 0 was requested. */
  readonly port: number;
  close(): Promise<void>;
}

/** How long one health check result serves /healthz, so that polling cannot load AD and the stores. */
const HEALTH_CACHE_MS = 5000;

function cachedFor(ms: number, check: () => Promise<void>): () => Promise<void> {
  let last: { at: number; result: Promise<void> } | undefined;
  return () => {
    if (last === undefined || Date.now() - last.at > ms) last = { at: Date.now(), result: check() };
    return last.result;
  };
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const app = express();
  app.disable('x-powered-by');

  const healthCheck = cachedFor(HEALTH_CACHE_MS, options.healthCheck);
  app.get('/healthz', async (_request, response) => {
    try {
      await healthCheck();
      response.json({ status: 'ok' });
    } catch (error) {
      options.logger.warn({ err: error }, 'health check failed');
      response.status(503).json({ status: 'unavailable' });
    }
  });
  for (const mount of options.mounts) mount(app);
  // Last in line: a body that fails to parse, or an error no route caught, gets a short
  // JSON response. Express's own error page would show the stack whenever the process
  // environment lacks NODE_ENV=production, which a .env file does not set.
  app.use((error: unknown, request: Request, response: Response, _next: NextFunction) => {
    const status = statusOf(error);
    if (status >= 500) options.logger.error({ err: error, path: request.path }, 'request failed');
    else
      options.logger.warn(
        { status, path: request.path, reason: (error as Error).message },
        'request rejected',
      );
    if (response.headersSent) return;
    response.status(status).json({ error: status >= 500 ? 'internal error' : 'invalid request' });
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port, options.host, (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.logger.info({ host: options.host, port }, 'http server listening');

  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Returns the HTTP status an error carries (body-parser sets 400, 413 or 415), or 500. */
function statusOf(error: unknown): number {
  const status = (error as { status?: unknown; statusCode?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
