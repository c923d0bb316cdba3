import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoAuditTrail } from '../../src/audit/mongo-audit-trail.js';
import { connectMongo } from '../../src/db/mongo.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { describeAuditTrailContract } from '../contracts/audit-trail-cases.js';
import { services } from '../harness/services.js';
import { mongoHostAndPort, startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.js';

const silent = createLogger({ level: 'silent' });
/** Short, so that a down database fails each call well inside the 2 s the contract allows. */
const TIMEOUT_MS = 1_000;

let connection: Connection;
const proxies: TcpProxy[] = [];
const proxiedConnections: Connection[] = [];

beforeAll(async () => {
  connection = await connectMongo(services().mongodbUri(), TIMEOUT_MS, silent);
});

afterAll(async () => {
  await Promise.all(proxiedConnections.map((proxied) => proxied.close()));
  await Promise.all(proxies.map((proxy) => proxy.cut()));
  await connection?.close();
});

/** A database of its own for each trail, so unfiltered `recent()` returns only its own events. */
function freshDatabase(): Connection {
  return connection.useDb(`sspr-test-audit-${randomUUID().slice(0, 8)}`);
}

/** Connects through a relay and then cuts it, so the server is gone mid-run. */
async function openUnavailable(logger: Logger): Promise<MongoAuditTrail> {
  const { host, port } = mongoHostAndPort(services().mongodbUri());
  const proxy = await startTcpProxy(host, port);
  proxies.push(proxy);
  const uri = `mongodb://127.0.0.1:${proxy.port}/sspr-test?directConnection=true`;
  const proxied = await connectMongo(uri, TIMEOUT_MS, silent);
  proxiedConnections.push(proxied);

  const trail = new MongoAuditTrail(proxied, logger);
  await trail.recent({ limit: 1 });
  await proxy.cut();
  return trail;
}

describeAuditTrailContract('mongodb', {
  open: async ({ logger, now, syslog }) => {
    const database = freshDatabase();
    const trail = new MongoAuditTrail(database, logger, syslog, now);
    await trail.ensureIndexes();
    const rawRecords = () => database.collection('audit_events').find({}).toArray();
    return { trail, rawRecords };
  },
  openUnavailable,
});

describe('mongodb audit_events collection', () => {
  it('has time indexes', async () => {
    const database = freshDatabase();
    await new MongoAuditTrail(database, silent).ensureIndexes();

    const keys = (await database.collection('audit_events').indexes()).map((index) => index.key);

    expect(keys).toContainEqual({ chatKey: 1, at: -1 });
    expect(keys).toContainEqual({ accountDn: 1, at: -1 });
    expect(keys).toContainEqual({ at: -1 });
  });
});
