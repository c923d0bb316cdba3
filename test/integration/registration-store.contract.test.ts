import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo } from '../../src/db/mongo.js';
import { isAppError } from '../../src/errors/catalog.js';
import { createLogger } from '../../src/log/logger.js';
import { MongoRegistrationStore } from '../../src/registrations/mongo-registration-store.js';
import { describeRegistrationStoreContract } from '../contracts/registration-store-cases.js';
import { freeLoopbackPort } from '../harness/free-port.js';
import { services } from '../harness/services.js';
import { mongoHostAndPort, startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.js';

const logger = createLogger({ level: 'silent' });
/** Short, so that a down database fails each call well inside the 2 s the contract allows. */
const TIMEOUT_MS = 1_000;

let connection: Connection;
const proxies: TcpProxy[] = [];
const proxiedConnections: Connection[] = [];

beforeAll(async () => {
  connection = await connectMongo(services().mongodbUri(), TIMEOUT_MS, logger);
  await new MongoRegistrationStore(connection).ensureIndexes();
});

afterAll(async () => {
  await Promise.all(proxiedConnections.map((proxied) => proxied.close()));
  await Promise.all(proxies.map((proxy) => proxy.cut()));
  await connection?.close();
});

/** Connects through a relay and then cuts it, so the server is gone mid-run. */
async function openUnavailable(): Promise<MongoRegistrationStore> {
  const { host, port } = mongoHostAndPort(services().mongodbUri());
  const proxy = await startTcpProxy(host, port);
  proxies.push(proxy);
  const uri = `mongodb://127.0.0.1:${proxy.port}/sspr-test?directConnection=true`;
  const proxied = await connectMongo(uri, TIMEOUT_MS, logger);
  proxiedConnections.push(proxied);

  const store = new MongoRegistrationStore(proxied);
  await store.get('slack:T0001:Uwarmup');
  await proxy.cut();
  return store;
}

describeRegistrationStoreContract('mongodb', {
  open: async (now) => {
    const store = new MongoRegistrationStore(connection, now);
    const registrations = connection.collection('registrations');
    return { store, countRecords: (chatKey) => registrations.countDocuments({ chatKey }) };
  },
  openUnavailable,
});

describe('mongodb registrations collection', () => {
  it('has unique chatKey index', async () => {
    const indexes = await connection.collection('registrations').indexes();

    const chatKey = indexes.find((index) => index.key.chatKey === 1);
    const accountDn = indexes.find((index) => index.key.accountDn === 1);
    expect(chatKey?.unique).toBe(true);
    expect(accountDn).toBeDefined();
  });
});

describe('connectMongo', () => {
  it('unreachable server raises DATABASE_UNAVAILABLE', async () => {
    const closedPort = await freeLoopbackPort();

    const started = Date.now();
    const error = await connectMongo(
      `mongodb://127.0.0.1:${closedPort}/sspr-test`,
      TIMEOUT_MS,
      logger,
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    const elapsedMs = Date.now() - started;

    expect(isAppError(error, 'DATABASE_UNAVAILABLE'), String(error)).toBe(true);
    expect(elapsedMs).toBeLessThan(2_000);
  });
});
