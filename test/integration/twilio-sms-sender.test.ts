import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/schema.js';
import { AppError, type ErrorCode } from '../../src/errors/catalog.js';
import { createLogger } from '../../src/log/logger.js';
import { type TwilioSmsConfig, TwilioSmsSender } from '../../src/sms/twilio-sms-sender.js';
import { startTwilioStandIn, type TwilioStandIn } from '../standins/twilio-server.js';

const TO = '+905321112233';
const FROM = '+15005550006';
const SERVICE_SID = `MG${'a1'.repeat(16)}`;
const BODY = 'Your password reset code is 482913. It expires in 5 minutes. Never share it.';

let standIn: TwilioStandIn;
let logLines: string[];

beforeAll(async () => {
  standIn = await startTwilioStandIn({ senders: [FROM] });
});

afterAll(async () => {
  await standIn.close();
});

beforeEach(() => {
  standIn.messages.length = 0;
  standIn.setDelay(0);
  logLines = [];
});

function config(overrides: Partial<Env> = {}): TwilioSmsConfig {
  return {
    TWILIO_ACCOUNT_SID: standIn.accountSid,
    TWILIO_AUTH_TOKEN: standIn.authToken,
    TWILIO_FROM: FROM,
    TWILIO_MESSAGING_SERVICE_SID: undefined,
    TWILIO_API_BASE_URL: standIn.url,
    SMS_TIMEOUT_MS: 5000,
    ...overrides,
  };
}

function sender(overrides: Partial<Env> = {}): TwilioSmsSender {
  const logger = createLogger({ level: 'debug' }, { write: (line: string) => logLines.push(line) });
  return TwilioSmsSender.fromConfig(config(overrides), logger);
}

async function sendError(smsSender: TwilioSmsSender, to = TO): Promise<AppError> {
  const error = await smsSender.send(to, BODY).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('TwilioSmsSender', () => {
  it('sends from a number', async () => {
    const sid = await sender().send(TO, BODY);

    expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(standIn.messages).toHaveLength(1);
    expect(standIn.messages[0]).toEqual({
      sid,
      to: TO,
      from: FROM,
      messagingServiceSid: null,
      body: BODY,
    });
  });

  it('sends through a messaging service', async () => {
    const sid = await sender({ TWILIO_MESSAGING_SERVICE_SID: SERVICE_SID }).send(TO, BODY);

    expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(standIn.messages[0]?.messagingServiceSid).toBe(SERVICE_SID);
    expect(standIn.messages[0]?.from).toBeNull();
  });

  it('wakes a waiting stand-in reader', async () => {
    const waiting = standIn.waitForMessage(TO);
    const sid = await sender().send(TO, BODY);

    const message = await waiting;

    expect(message.sid).toBe(sid);
    expect(message.body).toBe(BODY);
    await expect(standIn.waitForMessage(TO, 200)).rejects.toThrow(/no SMS to \+905321112233/);
  });

  it('logs the masked number, never the body or token', async () => {
    await sender().send(TO, BODY);

    const log = logLines.join('');
    expect(log).toContain('sms accepted by twilio');
    expect(log).toContain('+90*****2233');
    expect(log).not.toContain(TO);
    expect(log).not.toContain('482913');
    expect(log).not.toContain(standIn.authToken);
  });

  it.each<[number, ErrorCode]>([
    [21211, 'SMS_INVALID_NUMBER'],
    [21614, 'SMS_NOT_MOBILE'],
    [21408, 'SMS_REGION_DISABLED'],
    [20429, 'SMS_RATE_LIMITED'],
    [20500, 'SMS_FAILED'],
    [30007, 'SMS_FAILED'],
  ])('maps Twilio error %i to %s', async (twilioCode, expected) => {
    standIn.failNext(twilioCode);

    const error = await sendError(sender());

    expect(error.code).toBe(expected);
    expect(error.message).toContain(`Twilio error ${twilioCode}`);
    expect(error.message).not.toContain(TO);
    expect(error.message).not.toContain('482913');
    expect(standIn.messages).toHaveLength(0);
  });

  it('maps a number that is not E.164', async () => {
    const error = await sendError(sender(), '05321112233');

    expect(error.code).toBe('SMS_INVALID_NUMBER');
    expect(error.message).toContain('Twilio error 21211 (HTTP 400)');
  });

  it('fails on a sender the account does not own', async () => {
    const error = await sendError(sender({ TWILIO_FROM: '+15005550001' }));

    expect(error.code).toBe('SMS_FAILED');
    expect(error.message).toContain('Twilio error 21606');
  });

  it('names the credentials on bad auth', async () => {
    const error = await sendError(sender({ TWILIO_AUTH_TOKEN: 'not-the-token' }));

    expect(error.code).toBe('SMS_FAILED');
    expect(error.message).toContain('error 20003, HTTP 401');
    expect(error.message).toContain('TWILIO_AUTH_TOKEN');
    expect(error.message).not.toContain('not-the-token');
  });

  it('times out on a slow Twilio', async () => {
    standIn.setDelay(3000);
    const started = Date.now();

    const error = await sendError(sender({ SMS_TIMEOUT_MS: 500 }));

    expect(error.code).toBe('SMS_FAILED');
    expect(error.message).toContain('timed out after 500 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails on a refused connection', async () => {
    const closed = await startTwilioStandIn();
    const url = closed.url;
    await closed.close();

    const error = await sendError(sender({ TWILIO_API_BASE_URL: url }));

    expect(error.code).toBe('SMS_FAILED');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('keeps a path prefix of the base URL', async () => {
    const error = await sendError(sender({ TWILIO_API_BASE_URL: `${standIn.url}/proxy/` }));

    expect(error.code).toBe('SMS_FAILED');
    expect(error.message).toContain('Twilio error 20404 (HTTP 404)');
  });

  it('rejects an account SID without AC', () => {
    expect(() => sender({ TWILIO_ACCOUNT_SID: 'SK0123' })).toThrow(
      /TWILIO_ACCOUNT_SID="SK0123" is invalid/,
    );
  });

  it('rejects config without a sender', () => {
    expect(() => sender({ TWILIO_FROM: undefined })).toThrow(/TWILIO_FROM or TWILIO_MESSAGING/);
  });
});
