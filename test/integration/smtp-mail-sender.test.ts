import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/schema.js';
import { AppError } from '../../src/errors/catalog.js';
import { createLogger } from '../../src/log/logger.js';
import type { MailMessage } from '../../src/mail/mail-sender.js';
import { type SmtpMailConfig, SmtpMailSender } from '../../src/mail/smtp-mail-sender.js';

const SERVER_NAME = 'smtp.sspr.test';
const USER = 'relay-user';
const PASSWORD = 'relay-Password-7';
const FROM = 'sspr-bot@corp.example.test';

const MESSAGE: MailMessage = {
  to: 'ayse.yilmaz@example.org',
  subject: 'Your verification code',
  text: 'Your verification code is 482913.\n',
  html: '<!DOCTYPE html><html><body><p>Your verification code is <b>482913</b>.</p></body></html>',
};

interface Delivered {
  readonly mail: ParsedMail;
  readonly secure: boolean;
  readonly user: string | undefined;
  readonly envelopeTo: string[];
}

interface TestSmtpServer {
  readonly port: number;
  readonly delivered: Delivered[];
  close(): Promise<void>;
}

let certDir: string;
let caFile: string;
let plain: TestSmtpServer;
let plainNoStartTls: TestSmtpServer;
let startTls: TestSmtpServer;
let implicit: TestSmtpServer;
let logLines: string[];

/** Creates a self-signed certificate for SERVER_NAME and 127.0.0.1 with openssl. */
function createCertificate(dir: string): { key: string; cert: string } {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${SERVER_NAME}`,
      '-addext',
      `subjectAltName=DNS:${SERVER_NAME}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}

async function startSmtpServer(options: SMTPServerOptions): Promise<TestSmtpServer> {
  const delivered: Delivered[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: [],
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) {
        callback(null, { user: auth.username });
        return;
      }
      callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          delivered.push({
            mail,
            secure: session.secure,
            user: session.user as string | undefined,
            envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          });
          callback();
        })
        .catch(callback);
    },
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // The server reports each client that drops a connection, as the probe and the
  // mismatch tests do on purpose, as an 'error' event.
  server.on('error', () => {});
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    delivered,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'sspr-smtp-'));
  const tls = createCertificate(certDir);
  caFile = join(certDir, 'cert.pem');

  plain = await startSmtpServer({ authOptional: true });
  plainNoStartTls = await startSmtpServer({ authOptional: true, disabledCommands: ['STARTTLS'] });
  startTls = await startSmtpServer({ ...tls, authOptional: false });
  implicit = await startSmtpServer({ ...tls, secure: true, authOptional: false });
});

afterAll(async () => {
  await Promise.all([plain, plainNoStartTls, startTls, implicit].map((s) => s?.close()));
  rmSync(certDir, { recursive: true, force: true });
});

function sender(overrides: Partial<Env>): SmtpMailSender {
  logLines = [];
  const config: SmtpMailConfig = {
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: undefined,
    SMTP_TLS: 'starttls',
    SMTP_USER: undefined,
    SMTP_PASSWORD: undefined,
    SMTP_CA_FILE: undefined,
    SMTP_TLS_SERVERNAME: undefined,
    SMTP_TIMEOUT_MS: 10_000,
    MAIL_FROM: FROM,
    ...overrides,
  };
  const logger = createLogger({ level: 'debug' }, { write: (line: string) => logLines.push(line) });
  return SmtpMailSender.fromConfig(config, logger);
}

/** Settings for the STARTTLS or implicit-TLS server, with the test CA and a login. */
function tlsSettings(server: TestSmtpServer, mode: 'starttls' | 'implicit'): Partial<Env> {
  return {
    SMTP_PORT: server.port,
    SMTP_TLS: mode,
    SMTP_CA_FILE: caFile,
    SMTP_TLS_SERVERNAME: SERVER_NAME,
    SMTP_USER: USER,
    SMTP_PASSWORD: PASSWORD,
  };
}

async function failureOf(action: Promise<unknown>): Promise<AppError> {
  const error = await action.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('MAIL_FAILED');
  return error as AppError;
}

function expectDelivered(delivered: Delivered | undefined): void {
  expect(delivered).toBeDefined();
  const mail = delivered?.mail;
  expect(delivered?.envelopeTo).toEqual([MESSAGE.to]);
  expect(mail?.from?.text).toBe(FROM);
  expect(mail?.subject).toBe(MESSAGE.subject);
  expect(mail?.text).toBe(MESSAGE.text);
  expect(mail?.html).toContain('Your verification code is <b>482913</b>.');
}

describe('SmtpMailSender delivery', () => {
  it('sends without TLS', async () => {
    const mailSender = sender({ SMTP_PORT: plain.port, SMTP_TLS: 'none' });

    await mailSender.verify();
    const messageId = await mailSender.send(MESSAGE);
    await mailSender.close();

    expect(messageId).toMatch(/^<.+@.+>$/);
    expect(plain.delivered).toHaveLength(1);
    expectDelivered(plain.delivered[0]);
    expect(plain.delivered[0]?.secure).toBe(false);
  });

  it('sends over STARTTLS with login', async () => {
    const mailSender = sender(tlsSettings(startTls, 'starttls'));

    await mailSender.verify();
    await mailSender.send(MESSAGE);
    await mailSender.close();

    expect(startTls.delivered).toHaveLength(1);
    expectDelivered(startTls.delivered[0]);
    expect(startTls.delivered[0]?.secure).toBe(true);
    expect(startTls.delivered[0]?.user).toBe(USER);
  });

  it('sends over implicit TLS with login', async () => {
    const mailSender = sender(tlsSettings(implicit, 'implicit'));

    await mailSender.verify();
    await mailSender.send(MESSAGE);
    await mailSender.close();

    expect(implicit.delivered).toHaveLength(1);
    expectDelivered(implicit.delivered[0]);
    expect(implicit.delivered[0]?.secure).toBe(true);
  });

  it('logs no password or code', async () => {
    const mailSender = sender(tlsSettings(startTls, 'starttls'));

    await mailSender.send(MESSAGE);
    await mailSender.close();

    const log = logLines.join('');
    expect(log).toContain('mail accepted by smtp server');
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain('482913');
  });
});

describe('SmtpMailSender port and TLS mismatch', () => {
  it('rejects implicit TLS on a plain port', async () => {
    const mailSender = sender({ SMTP_PORT: plain.port, SMTP_TLS: 'implicit' });
    const started = Date.now();

    const error = await failureOf(mailSender.verify());

    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.message).toContain(
      `SMTP_TLS=implicit but 127.0.0.1:${plain.port} answered in plain text: set SMTP_TLS=starttls or none`,
    );
  });

  it('rejects STARTTLS on an implicit-TLS port', async () => {
    const mailSender = sender(tlsSettings(implicit, 'starttls'));
    const started = Date.now();

    const error = await failureOf(mailSender.verify());

    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.message).toContain(
      `SMTP_TLS=starttls but 127.0.0.1:${implicit.port} expects TLS from the first byte: set SMTP_TLS=implicit`,
    );
  });

  it('rejects no TLS on an implicit-TLS port', async () => {
    const mailSender = sender({ SMTP_PORT: implicit.port, SMTP_TLS: 'none' });
    const started = Date.now();

    const error = await failureOf(mailSender.verify());

    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.message).toContain('SMTP_TLS=none but');
    expect(error.message).toContain('set SMTP_TLS=implicit');
  });

  it('diagnoses a send with implicit TLS on a plain port', async () => {
    const mailSender = sender({ SMTP_PORT: plain.port, SMTP_TLS: 'implicit' });
    const started = Date.now();

    const error = await failureOf(mailSender.send(MESSAGE));
    await mailSender.close();

    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.message).toContain('answered in plain text: set SMTP_TLS=starttls or none');
  });

  it('rejects STARTTLS where the server offers none', async () => {
    const mailSender = sender({ SMTP_PORT: plainNoStartTls.port, SMTP_TLS: 'starttls' });

    const error = await failureOf(mailSender.verify());
    await mailSender.close();

    expect(error.message).toContain('does not offer STARTTLS');
    expect(error.message).toContain('(reply 500)');
    expect(error.message).toContain('SMTP_TLS=none');
  });

  it('reports a refused connection', async () => {
    const closed = await startSmtpServer({ authOptional: true });
    const port = closed.port;
    await closed.close();

    const error = await failureOf(sender({ SMTP_PORT: port, SMTP_TLS: 'none' }).verify());

    expect(error.message).toContain(`cannot connect to 127.0.0.1:${port} (ECONNREFUSED)`);
  });
});

describe('SmtpMailSender TLS and login errors', () => {
  it('names the CA setting for an unknown certificate', async () => {
    const mailSender = sender({ ...tlsSettings(startTls, 'starttls'), SMTP_CA_FILE: undefined });

    const error = await failureOf(mailSender.verify());
    await mailSender.close();

    expect(error.message).toContain('TLS certificate of 127.0.0.1:');
    expect(error.message).toContain('SMTP_CA_FILE');
  });

  it('names the servername setting for a host mismatch', async () => {
    const mailSender = sender({
      ...tlsSettings(implicit, 'implicit'),
      SMTP_TLS_SERVERNAME: 'other.sspr.test',
    });

    const error = await failureOf(mailSender.verify());
    await mailSender.close();

    expect(error.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(error.message).toContain('SMTP_TLS_SERVERNAME');
  });

  it('reports a rejected login without the password', async () => {
    const mailSender = sender({
      ...tlsSettings(startTls, 'starttls'),
      SMTP_PASSWORD: 'wrong-Password-1',
    });

    const error = await failureOf(mailSender.verify());
    await mailSender.close();

    expect(error.message).toContain('rejected the login of SMTP_USER="relay-user" (reply 535)');
    expect(error.message).not.toContain('wrong-Password-1');
  });

  it('reports a missing login', async () => {
    const mailSender = sender({
      ...tlsSettings(startTls, 'starttls'),
      SMTP_USER: undefined,
      SMTP_PASSWORD: undefined,
    });

    const error = await failureOf(mailSender.send(MESSAGE));
    await mailSender.close();

    expect(error.message).toContain('requires a login');
  });
});

describe('SmtpMailSender config', () => {
  it('rejects a user without password', () => {
    expect(() => sender({ SMTP_USER: USER })).toThrow(/SMTP_USER and SMTP_PASSWORD/);
  });

  it('rejects an unreadable CA file', () => {
    expect(() => sender({ SMTP_CA_FILE: join(certDir, 'missing.pem') })).toThrow(
      /SMTP_CA_FILE=".*missing\.pem" cannot be read \(ENOENT\)/,
    );
  });

  it('rejects a missing host', () => {
    expect(() => sender({ SMTP_HOST: undefined })).toThrow(/SMTP_HOST is missing/);
  });
});
