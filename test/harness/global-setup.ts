import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startFerretDb } from './ferretdb.js';
import { startRedis } from './redis.js';
import { startSamba } from './samba.js';
import type { TestServices } from './services.js';
import type { Started } from './started.js';

/**
 * Installs what is missing, starts Samba AD, Redis and FerretDB on loopback for the
 * integration tests, and stops them afterwards. `SSPR_TEST_SERVICES=redis,mongo` starts a
 * subset while working on one part; the README's test command starts all of them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const requested = new Set(
    (process.env.SSPR_TEST_SERVICES ?? 'samba,redis,mongo').split(',').map((name) => name.trim()),
  );
  const workDir = resolve('.tmp', `run-${process.pid}`);
  mkdirSync(workDir, { recursive: true });

  const started: Started<unknown>[] = [];
  const stopAll = async () => {
    await Promise.allSettled(started.reverse().map((service) => service.stop()));
    rmSync(workDir, { recursive: true, force: true });
  };

  const starting = [
    requested.has('samba') ? track(startSamba(join(workDir, 'samba'))) : undefined,
    requested.has('redis') ? track(startRedis(join(workDir, 'redis'))) : undefined,
    requested.has('mongo') ? track(startFerretDb(join(workDir, 'ferretdb'))) : undefined,
  ] as const;
  // Every start is awaited, even after one fails, so that the ones that did start are stopped.
  await Promise.allSettled(starting);
  try {
    const [samba, redis, mongo] = await Promise.all(starting);
    const services: TestServices = {
      samba: samba?.value,
      redisUrl: redis?.value,
      mongodbUri: mongo?.value,
    };
    project.provide('services', services);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;

  async function track<T>(starting: Promise<Started<T>>): Promise<Started<T>> {
    const service = await starting;
    started.push(service as Started<unknown>);
    return service;
  }
}
