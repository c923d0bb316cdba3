import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/audit/audit.js';
import { createSyslogSender, formatSyslogMessage } from '../../../src/audit/syslog.js';
import { captureLog } from '../../contracts/log-capture.js';

const FORMAT = {
  facility: 10,
  hostname: 'sspr-host',
  appName: 'sspr-bot',
  structuredDataId: 'sspr@32473',
};

const EVENT: AuditEvent = {
  at: new Date('2026-03-01T09:00:00.123Z'),
  action: 'password.reset',
  outcome: 'success',
  chatKey: 'slack:T0001:U0002',
  platform: 'slack',
  accountDn: 'CN=Demir\\, Ayse,OU=Staff,DC=corp,DC=example,DC=test',
  method: 'sms',
  destination: '+90*******4567',
};

/** Matches an RFC 5424 message with one SD-ELEMENT, capturing each part. */
const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) \[(\S+) ((?:[^\]\\]|\\.)*)\] (.*)$/s;

/** Reads `name="value"` pairs, undoing the RFC 5424 escapes. */
function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of text.matchAll(/(\S+?)="((?:[^"\\]|\\.)*)"/g)) {
    const [, name, value] = match;
    if (name && value !== undefined) params[name] = value.replace(/\\(["\\\]])/g, '$1');
  }
  return params;
}

describe('formatSyslogMessage', () => {
  it('builds RFC 5424 header', () => {
    const message = formatSyslogMessage(EVENT, FORMAT);

    const match = RFC5424.exec(message);
    expect(match, message).not.toBeNull();
    const [, priority, timestamp, host, app, procId, msgId, sdId, , text] = match ?? [];
    expect(priority).toBe(String(10 * 8 + 6));
    expect(timestamp).toBe('2026-03-01T09:00:00.123Z');
    expect(host).toBe('sspr-host');
    expect(app).toBe('sspr-bot');
    expect(procId).toBe(String(process.pid));
    expect(msgId).toBe('password.reset');
    expect(sdId).toBe('sspr@32473');
    expect(text).toBe('password.reset success');
  });

  it('failure has notice severity', () => {
    const message = formatSyslogMessage({ ...EVENT, outcome: 'refused' }, FORMAT);

    expect(message.startsWith(`<${10 * 8 + 5}>1 `)).toBe(true);
  });

  it('escapes parameter values', () => {
    const event = { ...EVENT, reason: 'quote " backslash \\ bracket ]' };

    const message = formatSyslogMessage(event, FORMAT);

    expect(message).toContain('reason="quote \\" backslash \\\\ bracket \\]"');
    const params = parseParams(RFC5424.exec(message)?.[8] ?? '');
    expect(params.reason).toBe(event.reason);
    expect(params.accountDn).toBe(EVENT.accountDn);
    expect(params.chatKey).toBe(EVENT.chatKey);
    expect(params.destination).toBe(EVENT.destination);
    expect(params).not.toHaveProperty('at');
  });

  it('replaces unprintable header fields', () => {
    const message = formatSyslogMessage(EVENT, { ...FORMAT, hostname: ' ', appName: 'sspr bot' });

    expect(message).toMatch(/^<86>1 \S+ - ssprbot /);
  });
});

describe('createSyslogSender', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  it('sends over UDP', async () => {
    const listener = createSocket('udp4');
    cleanups.push(() => new Promise((resolve) => listener.close(() => resolve())));
    const received = new Promise<string>((resolve) =>
      listener.once('message', (data) => resolve(data.toString('utf8'))),
    );
    await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', () => resolve()));
    const { port } = listener.address();
    const sender = createSyslogSender(
      { host: '127.0.0.1', port, protocol: 'udp' },
      captureLog().logger,
    );
    cleanups.push(() => sender.close());

    await sender.send(EVENT);

    const message = await received;
    expect(message).toMatch(RFC5424);
    expect(parseParams(RFC5424.exec(message)?.[8] ?? '').chatKey).toBe(EVENT.chatKey);
  });

  it('sends over TCP with octet counting', async () => {
    const chunks: Buffer[] = [];
    let ended!: () => void;
    const closed = new Promise<void>((resolve) => {
      ended = resolve;
    });
    const server = createServer((socket) => {
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('end', () => ended());
    });
    const port = await listen(server);
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const sender = createSyslogSender(
      { host: '127.0.0.1', port, protocol: 'tcp' },
      captureLog().logger,
    );

    await sender.send(EVENT);
    await sender.send({ ...EVENT, action: 'account.unlocked', destination: 'a•••@example.org' });
    await sender.close();
    await closed;

    const frames = splitOctetCounted(Buffer.concat(chunks));
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatch(RFC5424);
    expect(RFC5424.exec(frames[1] ?? '')?.[6]).toBe('account.unlocked');
    expect(parseParams(RFC5424.exec(frames[1] ?? '')?.[8] ?? '').destination).toBe(
      'a•••@example.org',
    );
  });

  it('TCP collector down is logged', async () => {
    const server = createServer();
    const port = await listen(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const log = captureLog();
    const sender = createSyslogSender({ host: '127.0.0.1', port, protocol: 'tcp' }, log.logger);
    cleanups.push(() => sender.close());

    await expect(sender.send(EVENT)).resolves.toBeUndefined();

    const failure = log.lines.find((line) => line.msg === 'syslog send failed');
    expect(failure?.level).toBe(50);
    expect(failure?.port).toBe(port);
  });
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

/** Splits an RFC 6587 octet-counted stream into messages, failing on a malformed frame. */
function splitOctetCounted(stream: Buffer): string[] {
  const messages: string[] = [];
  let offset = 0;
  while (offset < stream.length) {
    const space = stream.indexOf(0x20, offset);
    const length = Number(stream.subarray(offset, space).toString('ascii'));
    if (space < 0 || !Number.isInteger(length) || length <= 0) {
      throw new Error(`malformed frame at byte ${offset}`);
    }
    const end = space + 1 + length;
    if (end > stream.length) throw new Error(`frame at byte ${offset} is cut short`);
    messages.push(stream.subarray(space + 1, end).toString('utf8'));
    offset = end;
  }
  return messages;
}
