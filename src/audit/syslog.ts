import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createConnection, type Socket as TcpSocket } from 'node:net';
import { hostname } from 'node:os';
import type { Logger } from '../log/logger.js';
import type { AuditEvent } from './audit.js';
import { auditLogFields } from './audit-event-guard.js';

export interface SyslogOptions {
  readonly host: string;
  /** Default 514. */
  readonly port?: number;
  /** `udp` (default, RFC 5426) or `tcp` with octet-counting framing (RFC 6587). */
  readonly protocol?: 'udp' | 'tcp';
  /** Facility number. Default 10 (authpriv), the facility for security and authorization. */
  readonly facility?: number;
  /** HOSTNAME field. Default: the machine's host name. */
  readonly hostname?: string;
  /** APP-NAME field. Default `sspr-bot`. */
  readonly appName?: string;
  /**
   * SD-ID of the element that carries the event fields. A custom SD-ID needs an `@` and a
   * private enterprise number. Default `sspr@32473`, where 32473 is the number that
   * RFC 5612 reserves for documentation; set your organisation's own number if it has one.
   */
  readonly structuredDataId?: string;
  /** Max messages held while a TCP connection is being (re)opened. Default 1000. */
  readonly maxQueued?: number;
  /** How long opening a TCP connection may take, in milliseconds. Default 5000. */
  readonly connectTimeoutMs?: number;
}

/** Sends audit events to a syslog collector. */
export interface SyslogSender {
  /** Sends one event. Never throws: failures are logged and the event is dropped. */
  send(event: AuditEvent): Promise<void>;
  close(): Promise<void>;
}

const SEVERITY_INFORMATIONAL = 6;
const SEVERITY_NOTICE = 5;
const NILVALUE = '-';

/**
 * Formats one audit event as an RFC 5424 message. Successes are informational and failures
 * or refusals are notices. The fields go into one SD-ELEMENT, and MSG is plain ASCII
 * (`<action> <outcome>`), so it needs no BOM.
 */
export function formatSyslogMessage(
  event: AuditEvent,
  options: Required<Pick<SyslogOptions, 'facility' | 'hostname' | 'appName' | 'structuredDataId'>>,
): string {
  const severity = event.outcome === 'success' ? SEVERITY_INFORMATIONAL : SEVERITY_NOTICE;
  const priority = options.facility * 8 + severity;
  const header = [
    `<${priority}>1`,
    event.at.toISOString(),
    headerField(options.hostname, 255),
    headerField(options.appName, 48),
    String(process.pid),
    headerField(event.action, 32),
  ].join(' ');

  const params = Object.entries(auditLogFields(event))
    .filter(([name]) => name !== 'at')
    .map(([name, value]) => `${name}="${escapeParamValue(value)}"`)
    .join(' ');
  const structuredData = `[${options.structuredDataId} ${params}]`;

  return `${header} ${structuredData} ${event.action} ${event.outcome}`;
}

/** Keeps printable US-ASCII without spaces, as RFC 5424 header fields require. */
function headerField(value: string, maxLength: number): string {
  const printable = value.replace(/[^\x21-\x7e]/g, '').slice(0, maxLength);
  return printable === '' ? NILVALUE : printable;
}

/** Escapes `"`, `\` and `]` with a backslash, as RFC 5424 section 6.3.3 requires. */
function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (character) => `\\${character}`);
}

/** Opens a sender for the collector in `options`. Sockets open on the first event. */
export function createSyslogSender(options: SyslogOptions, logger: Logger): SyslogSender {
  const format = {
    facility: options.facility ?? 10,
    hostname: options.hostname ?? hostname(),
    appName: options.appName ?? 'sspr-bot',
    structuredDataId: options.structuredDataId ?? 'sspr@32473',
  };
  const port = options.port ?? 514;
  const transport =
    options.protocol === 'tcp'
      ? new TcpTransport(
          options.host,
          port,
          options.maxQueued ?? 1000,
          options.connectTimeoutMs ?? 5000,
          logger,
        )
      : new UdpTransport(options.host, port, logger);

  return {
    send: async (event) => {
      try {
        await transport.send(formatSyslogMessage(event, format));
      } catch (error) {
        logger.error({ err: error, host: options.host, port }, 'syslog send failed');
      }
    },
    close: () => transport.close(),
  };
}

/**
 * One message per datagram, as RFC 5426 specifies.
 * NOTE: messages are not truncated. RFC 5426 only obliges IPv4 collectors to accept 480
 * octets (2048 recommended), and an event with a long DN can exceed that, so prefer TCP.
 */
class UdpTransport {
  #socket: UdpSocket | undefined;
  #failures = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly logger: Logger,
  ) {}

  send(message: string): Promise<void> {
    const socket = this.#open();
    return new Promise((resolve) => {
      socket.send(message, this.port, this.host, (error) => {
        if (error) this.#logFailure(error);
        else this.#failures = 0;
        resolve();
      });
    });
  }

  #open(): UdpSocket {
    if (this.#socket) return this.#socket;
    const socket = createSocket(this.host.includes(':') ? 'udp6' : 'udp4');
    socket.on('error', (error) => this.#logFailure(error));
    socket.unref();
    this.#socket = socket;
    return socket;
  }

  /** Logs the first failure of a run of failures and every 100th after it. */
  #logFailure(error: Error): void {
    this.#failures += 1;
    if (this.#failures % 100 !== 1) return;
    const { host, port } = this;
    this.logger.error({ err: error, host, port, failures: this.#failures }, 'syslog send failed');
  }

  close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}

/**
 * A persistent TCP connection with octet-counting framing (`<length> <message>`). It
 * reconnects on the next event after the connection drops, and holds up to `maxQueued`
 * messages while connecting. Messages beyond that are dropped and counted in the log.
 */
class TcpTransport {
  #socket: TcpSocket | undefined;
  #connected = false;
  #queue: { frame: Buffer; done: () => void }[] = [];
  #dropped = 0;
  #failures = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly maxQueued: number,
    private readonly connectTimeoutMs: number,
    private readonly logger: Logger,
  ) {}

  send(message: string): Promise<void> {
    const body = Buffer.from(message, 'utf8');
    const frame = Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);

    return new Promise((resolve) => {
      if (this.#queue.length >= this.maxQueued) {
        this.#dropped += 1;
        this.#logFailure(new Error(`queue full at ${this.maxQueued} messages`));
        resolve();
        return;
      }
      this.#queue.push({ frame, done: resolve });
      this.#open();
      this.#flush();
    });
  }

  #open(): void {
    if (this.#socket) return;
    const socket = createConnection({ host: this.host, port: this.port });
    this.#socket = socket;
    socket.setKeepAlive(true);
    // A collector that drops packets would otherwise leave the connect pending for minutes.
    socket.setTimeout(this.connectTimeoutMs, () => {
      socket.destroy(new Error(`connect timed out after ${this.connectTimeoutMs} ms`));
    });
    socket.on('connect', () => {
      socket.setTimeout(0);
      this.#connected = true;
      this.#failures = 0;
      this.#flush();
    });
    socket.on('error', (error) => this.#logFailure(error));
    socket.on('close', () => {
      this.#socket = undefined;
      this.#connected = false;
      this.#dropQueue();
    });
  }

  #flush(): void {
    const socket = this.#socket;
    if (!socket || !this.#connected) return;
    for (const { frame, done } of this.#queue.splice(0)) {
      socket.write(frame, () => done());
    }
  }

  /**
   * Drops what is still queued when a connection attempt fails, so callers are not held
   * up. The next event opens a new connection.
   */
  #dropQueue(): void {
    const waiting = this.#queue.splice(0);
    this.#dropped += waiting.length;
    for (const { done } of waiting) done();
  }

  #logFailure(error: Error): void {
    this.#failures += 1;
    if (this.#failures % 100 !== 1) return;
    const { host, port } = this;
    const fields = { err: error, host, port, failures: this.#failures, dropped: this.#dropped };
    this.logger.error(fields, 'syslog send failed');
  }

  close(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
    });
  }
}
