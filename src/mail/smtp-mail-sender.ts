import { readFileSync } from 'node:fs';
import nodemailer, {
  type Mail,
  type SMTPSentMessageInfo,
  type SMTPTransportOptions,
} from 'nodemailer';
import type { Env } from '../config/schema.js';
import { AppError } from '../errors/catalog.js';
import type { Logger } from '../log/logger.js';
import type { MailMessage, MailSender } from './mail-sender.js';
import { describeSmtpError, type SmtpEndpoint } from './smtp-error.js';
import { probeSmtpPort } from './smtp-port-probe.js';

export type SmtpMailConfig = Pick<
  Env,
  | 'SMTP_HOST'
  | 'SMTP_PORT'
  | 'SMTP_TLS'
  | 'SMTP_USER'
  | 'SMTP_PASSWORD'
  | 'SMTP_CA_FILE'
  | 'SMTP_TLS_SERVERNAME'
  | 'SMTP_TIMEOUT_MS'
  | 'MAIL_FROM'
>;

export type SmtpTlsMode = Env['SMTP_TLS'];

/** The usual port for each TLS mode (RFC 8314 for 465, RFC 6409 for 587, RFC 5321 for 25). */
export const DEFAULT_SMTP_PORTS: Record<SmtpTlsMode, number> = {
  implicit: 465,
  starttls: 587,
  none: 25,
};

/**
 * Sends mail through one SMTP server with nodemailer. `SMTP_TLS` selects implicit TLS,
 * STARTTLS that must succeed, or no TLS at all. Every failure becomes `AppError`
 * MAIL_FAILED whose detail names the setting to change.
 *
 * NOTE: `send` on a port that expects implicit TLS while SMTP_TLS is starttls or none
 * waits up to SMTP_TIMEOUT_MS for a greeting before it reports the mismatch. `verify`
 * finds the same mismatch within about a second, so run it at start-up.
 */
export class SmtpMailSender implements MailSender {
  private constructor(
    private readonly transport: Mail<SMTPSentMessageInfo, SMTPTransportOptions>,
    private readonly endpoint: SmtpEndpoint,
    private readonly from: string,
    private readonly logger: Logger,
  ) {}

  /** Builds the sender from validated config. Raises MAIL_FAILED on a missing setting. */
  static fromConfig(config: SmtpMailConfig, logger: Logger): SmtpMailSender {
    const host = config.SMTP_HOST;
    const from = config.MAIL_FROM;
    if (host === undefined) throw configError('SMTP_HOST is missing: set the SMTP relay host');
    if (from === undefined) throw configError('MAIL_FROM is missing: set the From address');
    if ((config.SMTP_USER === undefined) !== (config.SMTP_PASSWORD === undefined)) {
      throw configError('SMTP_USER and SMTP_PASSWORD must be set together, or neither');
    }

    const endpoint: SmtpEndpoint = {
      host,
      port: config.SMTP_PORT ?? DEFAULT_SMTP_PORTS[config.SMTP_TLS],
      tlsMode: config.SMTP_TLS,
      timeoutMs: config.SMTP_TIMEOUT_MS,
      servername: config.SMTP_TLS_SERVERNAME,
      user: config.SMTP_USER,
    };
    if (endpoint.tlsMode === 'none' && endpoint.user !== undefined) {
      logger.warn(
        { host, port: endpoint.port },
        'smtp login is sent without encryption because SMTP_TLS=none',
      );
    }

    const transport = nodemailer.createTransport(transportOptions(config, endpoint));
    return new SmtpMailSender(transport, endpoint, from, logger);
  }

  async send(message: MailMessage): Promise<string> {
    const started = Date.now();
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
      this.logger.info(
        { messageId: info.messageId, durationMs: Date.now() - started },
        'mail accepted by smtp server',
      );
      return info.messageId;
    } catch (error) {
      throw await this.failure(error);
    }
  }

  /**
   * Checks that the port speaks the configured TLS mode, then connects, upgrades and logs
   * in as a send would. A mismatched port fails within a few hundred milliseconds instead
   * of waiting for the greeting timeout.
   */
  async verify(): Promise<void> {
    const mismatch = await this.findPortMismatch();
    if (mismatch !== undefined) throw new AppError('MAIL_FAILED', { detail: mismatch });
    try {
      await this.transport.verify();
    } catch (error) {
      throw await this.failure(error);
    }
    this.logger.info(
      { host: this.endpoint.host, port: this.endpoint.port, tls: this.endpoint.tlsMode },
      'smtp server verified',
    );
  }

  async close(): Promise<void> {
    this.transport.close();
  }

  /**
   * Maps a nodemailer error to MAIL_FAILED. For timeouts and TLS failures the port is
   * probed, because a port that does not match the TLS mode shows up as one of those.
   * The original error is not attached, because nodemailer's message can quote the
   * server's reply, which may repeat the recipient address.
   */
  private async failure(error: unknown): Promise<AppError> {
    const mismatch = looksLikeMismatch(error) ? await this.findPortMismatch() : undefined;
    return new AppError('MAIL_FAILED', {
      detail: mismatch ?? describeSmtpError(error, this.endpoint),
    });
  }

  /** Returns a diagnostic when the port does not speak the configured TLS mode. */
  private async findPortMismatch(): Promise<string | undefined> {
    const { host, port, tlsMode, timeoutMs, servername } = this.endpoint;
    const where = `${host}:${port}`;
    const protocol = await probeSmtpPort({ host, port, timeoutMs, servername });

    switch (protocol.kind) {
      case 'plaintext':
        if (tlsMode !== 'implicit') return undefined;
        return `SMTP_TLS=implicit but ${where} answered in plain text: set SMTP_TLS=starttls or none`;
      case 'tls':
        if (tlsMode === 'implicit') return undefined;
        return `SMTP_TLS=${tlsMode} but ${where} expects TLS from the first byte: set SMTP_TLS=implicit`;
      case 'silent':
        return `${where} accepted the connection but sent no SMTP greeting and completed no TLS handshake within ${timeoutMs} ms: check SMTP_HOST and SMTP_PORT`;
      case 'unreachable':
        return `cannot connect to ${where} (${protocol.code}): check SMTP_HOST and SMTP_PORT`;
    }
  }
}

function configError(detail: string): AppError {
  return new AppError('MAIL_FAILED', { detail });
}

function transportOptions(config: SmtpMailConfig, endpoint: SmtpEndpoint): SMTPTransportOptions {
  return {
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.tlsMode === 'implicit',
    requireTLS: endpoint.tlsMode === 'starttls',
    ignoreTLS: endpoint.tlsMode === 'none',
    auth:
      config.SMTP_USER === undefined
        ? undefined
        : { user: config.SMTP_USER, pass: config.SMTP_PASSWORD },
    tls: {
      // TLS 1.0 and 1.1 are deprecated by RFC 8996.
      minVersion: 'TLSv1.2',
      ca: readCaFile(config.SMTP_CA_FILE),
      servername: endpoint.servername,
    },
    connectionTimeout: endpoint.timeoutMs,
    greetingTimeout: endpoint.timeoutMs,
    socketTimeout: endpoint.timeoutMs,
    logger: false,
  };
}

function readCaFile(path: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw configError(`SMTP_CA_FILE=${JSON.stringify(path)} cannot be read (${code})`);
  }
}

/** Timeouts, socket and TLS errors: what a port in the other TLS mode produces. */
function looksLikeMismatch(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ETIMEDOUT' || code === 'ESOCKET' || code === 'ETLS' || code === 'ECONNECTION';
}
