import twilio from 'twilio';
import type { Env } from '../config/schema.js';
import { AppError, type ErrorCode } from '../errors/catalog.js';
import type { Logger } from '../log/logger.js';
import { maskPhone } from './mask-phone.js';
import type { SmsSender } from './sms-sender.js';
import { BaseUrlRequestClient, TWILIO_API_ORIGIN } from './twilio-base-url-client.js';

export type TwilioSmsConfig = Pick<
  Env,
  | 'TWILIO_ACCOUNT_SID'
  | 'TWILIO_AUTH_TOKEN'
  | 'TWILIO_FROM'
  | 'TWILIO_MESSAGING_SERVICE_SID'
  | 'TWILIO_API_BASE_URL'
  | 'SMS_TIMEOUT_MS'
>;

/** The sender of each message: a Messaging Service, or a number or alphanumeric ID. */
type Sender = { messagingServiceSid: string } | { from: string };

/** Twilio error codes for a `To` number that is not a valid phone number. */
const INVALID_NUMBER_CODES = new Set([21211, 21217, 21401, 21421]);

/**
 * Sends SMS through the Messages API of Twilio. Each request is bounded by
 * `SMS_TIMEOUT_MS`, and every failure becomes an `AppError` with an `SMS_*` code.
 */
export class TwilioSmsSender implements SmsSender {
  constructor(
    private readonly client: twilio.Twilio,
    private readonly sender: Sender,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Builds the sender from validated config. A Messaging Service SID wins over
   * `TWILIO_FROM` when both are set. Raises `AppError` SMS_FAILED when the credentials or
   * the sender are missing.
   */
  static fromConfig(config: TwilioSmsConfig, logger: Logger): TwilioSmsSender {
    const accountSid = config.TWILIO_ACCOUNT_SID;
    const authToken = config.TWILIO_AUTH_TOKEN;
    if (accountSid === undefined || authToken === undefined) {
      throw configError('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must both be set');
    }
    if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
      throw configError(
        `TWILIO_ACCOUNT_SID=${JSON.stringify(accountSid)} is invalid: it must be AC followed by 32 hexadecimal digits`,
      );
    }

    const sender = senderOf(config);
    const httpClient = new BaseUrlRequestClient(config.TWILIO_API_BASE_URL ?? TWILIO_API_ORIGIN, {
      timeout: config.SMS_TIMEOUT_MS,
    });
    const client = twilio(accountSid, authToken, { httpClient });
    return new TwilioSmsSender(client, sender, config.SMS_TIMEOUT_MS, logger);
  }

  async send(to: string, body: string): Promise<string> {
    const started = Date.now();
    try {
      const request = this.client.messages.create({ to, body, ...this.sender });
      const message = await withDeadline(request, this.timeoutMs);
      this.logger.info(
        { to: maskPhone(to), messageSid: message.sid, durationMs: Date.now() - started },
        'sms accepted by twilio',
      );
      return message.sid;
    } catch (error) {
      throw toAppError(error, this.timeoutMs);
    }
  }
}

function senderOf(config: TwilioSmsConfig): Sender {
  if (config.TWILIO_MESSAGING_SERVICE_SID !== undefined) {
    return { messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID };
  }
  if (config.TWILIO_FROM !== undefined) return { from: config.TWILIO_FROM };
  throw configError('TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID must be set');
}

function configError(detail: string): AppError {
  return new AppError('SMS_FAILED', { detail });
}

class DeadlineError extends Error {}

/**
 * Rejects with `DeadlineError` when `promise` has not settled within `ms`. The timeout of
 * axios, which the twilio package uses, limits connecting and socket inactivity but not
 * the whole request, so a server that sends slowly could otherwise hold a turn longer.
 */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError()), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Maps a failed send to an `AppError`. The detail names the Twilio error code and HTTP
 * status only. The original error is not attached as the cause, because Twilio's message
 * repeats the phone number and a network error from axios carries the request, with the
 * Authorization header and the SMS body.
 */
function toAppError(error: unknown, timeoutMs: number): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof DeadlineError) {
    return new AppError('SMS_FAILED', { detail: `Twilio request timed out after ${timeoutMs} ms` });
  }
  if (error instanceof twilio.RestException) {
    const code = codeForTwilioError(error.code, error.status);
    return new AppError(code, { detail: describeRestException(error) });
  }
  return new AppError('SMS_FAILED', { detail: describeNetworkError(error, timeoutMs) });
}

function codeForTwilioError(twilioCode: number | undefined, status: number): ErrorCode {
  if (twilioCode !== undefined && INVALID_NUMBER_CODES.has(twilioCode)) {
    return 'SMS_INVALID_NUMBER';
  }
  if (twilioCode === 21614) return 'SMS_NOT_MOBILE';
  if (twilioCode === 21408) return 'SMS_REGION_DISABLED';
  if (twilioCode === 20429 || status === 429) return 'SMS_RATE_LIMITED';
  return 'SMS_FAILED';
}

function describeRestException(error: twilio.RestException): string {
  const code = error.code ?? 'none';
  if (error.status === 401) {
    return `Twilio rejected the credentials (error ${code}, HTTP 401): check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN`;
  }
  return `Twilio error ${code} (HTTP ${error.status})`;
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    return `Twilio request timed out after ${timeoutMs} ms (${code})`;
  }
  if (typeof code === 'string') return `request to Twilio failed: ${code}`;
  if (error instanceof Error && error.message.startsWith('Twilio request for')) {
    return error.message;
  }
  return 'request to Twilio failed';
}
