import * as net from 'node:net';
import * as tls from 'node:tls';
import { Client } from 'ldapts';
import { AppError } from '../errors/catalog.js';
import type { Logger } from '../log/logger.js';
import { isConnectionError, ReconnectRefusedError, toDirectoryError } from './ldap-errors.js';

/** Connection and bind settings for the pool. */
export interface LdapPoolSettings {
  readonly url: string;
  /** Upgrade an ldap:// connection with StartTLS before binding. */
  readonly startTls: boolean;
  /** TLS options for LDAPS or StartTLS. Certificate verification is always on. */
  readonly tls: tls.ConnectionOptions;
  readonly bindDn: string;
  readonly bindPassword: string;
  readonly size: number;
  readonly connectTimeoutMs: number;
  /** Per-request timeout, and the longest wait for a free pooled connection. */
  readonly timeoutMs: number;
}

/** Counters for health checks and for tests that assert connection reuse. */
export interface LdapPoolStats {
  /** Connections opened and bound since the pool was created. */
  readonly opened: number;
  readonly idle: number;
  readonly busy: number;
}

interface PooledConnection {
  readonly client: Client;
  readonly id: number;
}

type Waiter = (connection: PooledConnection | Error) => void;

/**
 * A fixed-size pool of ldapts clients bound as the service account over LDAPS or StartTLS.
 *
 * A client whose connection drops is thrown away and replaced by a new, bound one, because
 * ldapts would otherwise reconnect in place without TLS after StartTLS and without a bind.
 * Each client's socket factory therefore works once, and a second call raises
 * ReconnectRefusedError before anything is sent.
 */
export class LdapConnectionPool {
  private readonly idle: PooledConnection[] = [];
  private readonly waiters: Waiter[] = [];
  private busy = 0;
  private opened = 0;
  private sequence = 0;
  private closed = false;

  constructor(
    private readonly settings: LdapPoolSettings,
    private readonly logger: Logger,
  ) {}

  stats(): LdapPoolStats {
    return { opened: this.opened, idle: this.idle.length, busy: this.busy };
  }

  /**
   * Runs `operation` on a bound client. When the connection turns out to be dead, the
   * operation runs once more on a new connection: always if nothing was sent yet, and
   * otherwise only when `idempotent` is true, so a write is never applied twice.
   * NOTE: a read that timed out is retried as well, so it can take up to twice timeoutMs.
   */
  async run<T>(
    description: string,
    operation: (client: Client) => Promise<T>,
    options: { idempotent: boolean },
  ): Promise<T> {
    try {
      return await this.runOnce(description, operation);
    } catch (error) {
      const retry = error instanceof ReconnectRefusedError || options.idempotent;
      if (!retry || !isConnectionError(error)) throw toDirectoryError(error, description);
      this.logger.warn(
        { operation: description, error: (error as Error).message },
        'directory connection dropped, retrying once on a new connection',
      );
      try {
        return await this.runOnce(description, operation);
      } catch (retryError) {
        throw toDirectoryError(retryError, description);
      }
    }
  }

  /** Unbinds every idle client and makes busy ones unbind when they are released. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      waiter(new AppError('DIRECTORY_UNAVAILABLE', { detail: 'the directory pool is closed' }));
    }
    const connections = this.idle.splice(0);
    await Promise.allSettled(connections.map((connection) => connection.client.unbind()));
  }

  private async runOnce<T>(
    description: string,
    operation: (client: Client) => Promise<T>,
  ): Promise<T> {
    const connection = await this.acquire();
    let healthy = true;
    try {
      return await operation(connection.client);
    } catch (error) {
      healthy = !isConnectionError(error);
      throw error;
    } finally {
      this.release(connection, healthy, description);
    }
  }

  private async acquire(): Promise<PooledConnection> {
    if (this.closed) {
      throw new AppError('DIRECTORY_UNAVAILABLE', { detail: 'the directory pool is closed' });
    }
    while (this.idle.length > 0) {
      const connection = this.idle.pop() as PooledConnection;
      if (connection.client.isBound) {
        this.busy += 1;
        return connection;
      }
      this.logger.info({ connection: connection.id }, 'directory connection closed while idle');
      void connection.client.unbind().catch(() => undefined);
    }
    if (this.busy < this.settings.size) {
      this.busy += 1;
      try {
        return await this.open();
      } catch (error) {
        this.busy -= 1;
        this.wakeNextWaiter();
        throw error;
      }
    }
    return this.waitForRelease();
  }

  private release(connection: PooledConnection, healthy: boolean, description: string): void {
    this.busy -= 1;
    if (!healthy || this.closed || !connection.client.isBound) {
      if (!healthy) {
        this.logger.info(
          { connection: connection.id, operation: description },
          'directory connection discarded',
        );
      }
      void connection.client.unbind().catch(() => undefined);
      this.wakeNextWaiter();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      this.busy += 1;
      waiter(connection);
      return;
    }
    this.idle.push(connection);
  }

  /** Opens a new connection for the first waiter after a busy connection was discarded. */
  private wakeNextWaiter(): void {
    const waiter = this.waiters.shift();
    if (!waiter) return;
    this.busy += 1;
    this.open().then(waiter, (error: unknown) => {
      this.busy -= 1;
      waiter(error instanceof Error ? error : new Error(String(error)));
    });
  }

  private waitForRelease(): Promise<PooledConnection> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = (result) => {
        clearTimeout(timer);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      const timer = setTimeout(() => {
        const position = this.waiters.indexOf(waiter);
        if (position >= 0) this.waiters.splice(position, 1);
        const detail = `no pooled connection became free within ${this.settings.timeoutMs} ms`;
        reject(new AppError('DIRECTORY_UNAVAILABLE', { detail }));
      }, this.settings.timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Opens a connection, upgrades it with StartTLS when configured, and binds. */
  private async open(): Promise<PooledConnection> {
    const { settings } = this;
    const client = new Client({
      url: settings.url,
      connectTimeout: settings.connectTimeoutMs,
      timeout: settings.timeoutMs,
      // ldapts switches an ldap:// URL to implicit TLS when tlsOptions is set, so with
      // StartTLS the TLS options go to startTLS() instead.
      tlsOptions: settings.startTls ? undefined : settings.tls,
      createConnection: once(net.connect),
      createSecureConnection: once(tls.connect),
    });
    this.sequence += 1;
    const id = this.sequence;
    try {
      if (settings.startTls) await client.startTLS({ ...settings.tls });
      await client.bind(settings.bindDn, settings.bindPassword);
    } catch (error) {
      await client.unbind().catch(() => undefined);
      throw toDirectoryError(error, `bind as ${settings.bindDn}`);
    }
    this.opened += 1;
    this.logger.info(
      { connection: id, startTls: settings.startTls },
      'directory connection opened',
    );
    return { client, id };
  }
}

/**
 * Wraps a socket factory so that it works for the first call only. ldapts calls the factory
 * again when it reconnects a dropped client in place, which the pool never wants.
 */
function once<F extends (...args: never[]) => net.Socket>(factory: F): F {
  let used = false;
  const guarded = (...args: Parameters<F>): net.Socket => {
    if (used) throw new ReconnectRefusedError();
    used = true;
    return factory(...args);
  };
  return guarded as F;
}
