import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/logger.js';
import { type RunningHttpServer, startHttpServer } from '../../../src/server/http-server.js';

let server: RunningHttpServer | undefined;
afterEach(async () => {
  await server?.close();
});

async function start(healthCheck: () => Promise<void>) {
  server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    mounts: [
      (app) => {
        app.post('/json', express.json(), (_request, response) => {
          response.json({ ok: true });
        });
      },
    ],
    healthCheck,
    logger: createLogger({ level: 'silent' }),
  });
  return `http://127.0.0.1:${server.port}`;
}

describe('http server', () => {
  it('caches the health check briefly', async () => {
    let checks = 0;
    const base = await start(async () => {
      checks += 1;
    });

    const first = await fetch(`${base}/healthz`);
    const second = await fetch(`${base}/healthz`);

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(checks).toBe(1);
  });

  it('answers 503 when a dependency is down', async () => {
    const base = await start(async () => {
      throw new Error('redis down');
    });

    const response = await fetch(`${base}/healthz`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable' });
  });

  it('answers a malformed body with short JSON', async () => {
    const base = await start(async () => {});

    const response = await fetch(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":',
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toBe('{"error":"invalid request"}');
  });
});
