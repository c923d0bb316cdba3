import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that implements the part of the Twilio REST API that sspr-bot
 * calls: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`. Requests, validation,
 * the 201 body and the error body `{ code, message, more_info, status }` follow the
 * Twilio API 2010-04-01 documentation for the Message resource and its error codes.
 */

export interface TwilioStandInOptions {
  /** Account SID that Basic auth must name. Random `AC...` when omitted. */
  accountSid?: string;
  /** Auth token that Basic auth must carry. Random when omitted. */
  authToken?: string;
  /** When set, `From` must be one of these senders, as on a real account (error 21606). */
  senders?: string[];
}

/** One message that the stand-in accepted. */
export interface AcceptedMessage {
  readonly sid: string;
  readonly to: string;
  readonly from: string | null;
  readonly messagingServiceSid: string | null;
  readonly body: string;
}

export interface TwilioStandIn {
  /** Base URL to use as `TWILIO_API_BASE_URL`. */
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** Messages accepted so far, oldest first. */
  readonly messages: AcceptedMessage[];
  /**
   * Resolves with the oldest accepted message to `to` that no earlier call returned,
   * waiting for it when none has arrived yet. Rejects after `timeoutMs`.
   */
  waitForMessage(to: string, timeoutMs?: number): Promise<AcceptedMessage>;
  /** Makes the next authenticated request fail with this Twilio error code. */
  failNext(code: number): void;
  /** Delays every response by `ms` milliseconds. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

interface TwilioError {
  readonly status: number;
  readonly message: string;
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const E164 = /^\+[1-9]\d{1,14}$/;
/** A short code (5 or 6 digits) or an alphanumeric sender ID (up to 11 characters). */
const OTHER_SENDER = /^(\d{5,6}|[A-Za-z0-9 ]{1,11})$/;
const MAX_BODY_LENGTH = 1600;

/** Errors by Twilio code: HTTP status and message, with `{to}` and `{from}` filled in. */
const ERRORS: Record<number, TwilioError> = {
  20003: { status: 401, message: 'Authenticate' },
  20404: { status: 404, message: 'The requested resource {path} was not found' },
  20429: { status: 429, message: 'Too Many Requests' },
  20500: { status: 500, message: 'An internal server error has occurred' },
  21211: { status: 400, message: "The 'To' number {to} is not a valid phone number." },
  21212: {
    status: 400,
    message:
      "The 'From' number {from} is not a valid phone number, shortcode, or alphanumeric sender ID.",
  },
  21408: {
    status: 400,
    message:
      "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}.",
  },
  21602: { status: 400, message: 'Message body is required.' },
  21603: {
    status: 400,
    message: "A 'From' or 'MessagingServiceSid' parameter is required to send a message.",
  },
  21604: { status: 400, message: "A 'To' phone number is required." },
  21606: {
    status: 400,
    message:
      'The From phone number {from} is not a valid, SMS-capable inbound phone number or short code for your account.',
  },
  21614: { status: 400, message: "'To' number {to} is not a valid mobile number" },
  21617: {
    status: 400,
    message: 'The concatenated message body exceeds the 1600 character limit.',
  },
};

export async function startTwilioStandIn(
  options: TwilioStandInOptions = {},
): Promise<TwilioStandIn> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const messages: AcceptedMessage[] = [];
  const failures: number[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const returnedSids = new Set<string>();
  const waiters = new Set<() => void>();
  let delayMs = 0;

  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => handle(request, body))
      .then((reply) => respondLater(response, reply))
      .catch(() => respondLater(response, errorReply(20500, {})));
  });

  function handle(request: IncomingMessage, rawBody: string): Reply {
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    const match = MESSAGES_PATH.exec(path);
    if (request.method !== 'POST' || match === null) return errorReply(20404, { path });
    if (!authenticated(request.headers.authorization)) return errorReply(20003, {});
    if (match[1] !== accountSid) return errorReply(20404, { path });

    const failure = failures.shift();
    const form = isForm(request) ? new URLSearchParams(rawBody) : new URLSearchParams();
    const fields = {
      to: form.get('To') ?? '',
      from: form.get('From') ?? '',
      messagingServiceSid: form.get('MessagingServiceSid') ?? '',
      body: form.get('Body') ?? '',
    };
    if (failure !== undefined) return errorReply(failure, fields);

    const invalid = validate(fields);
    if (invalid !== undefined) return errorReply(invalid, fields);
    return accept(fields);
  }

  function authenticated(header: string | undefined): boolean {
    if (header === undefined || !header.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
    return decoded === `${accountSid}:${authToken}`;
  }

  function validate(fields: Fields): number | undefined {
    if (fields.to === '') return 21604;
    if (!E164.test(fields.to)) return 21211;
    if (fields.from === '' && fields.messagingServiceSid === '') return 21603;
    if (fields.from !== '') {
      if (!E164.test(fields.from) && !OTHER_SENDER.test(fields.from)) return 21212;
      if (options.senders !== undefined && !options.senders.includes(fields.from)) return 21606;
    }
    if (fields.body === '') return 21602;
    if (fields.body.length > MAX_BODY_LENGTH) return 21617;
    return undefined;
  }

  function accept(fields: Fields): Reply {
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const viaService = fields.messagingServiceSid !== '';
    const message: AcceptedMessage = {
      sid,
      to: fields.to,
      from: fields.from === '' ? null : fields.from,
      messagingServiceSid: viaService ? fields.messagingServiceSid : null,
      body: fields.body,
    };
    messages.push(message);
    for (const wake of waiters) wake();
    return { status: 201, body: messageResource(accountSid, message) };
  }

  function respondLater(response: ServerResponse, reply: Reply): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      const json = JSON.stringify(reply.body);
      response.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8' });
      response.end(json);
    }, delayMs);
    timers.add(timer);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    waitForMessage: (to, timeoutMs = 5000) =>
      new Promise<AcceptedMessage>((resolve, reject) => {
        const check = () => {
          const message = messages.find((m) => m.to === to && !returnedSids.has(m.sid));
          if (message === undefined) return;
          returnedSids.add(message.sid);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(message);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no SMS to ${to} arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    failNext: (code) => {
      failures.push(code);
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Fields {
  readonly to: string;
  readonly from: string;
  readonly messagingServiceSid: string;
  readonly body: string;
}

interface Reply {
  readonly status: number;
  readonly body: object;
}

function isForm(request: IncomingMessage): boolean {
  return (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Builds Twilio's error body. Codes missing from the table get HTTP 400. */
function errorReply(code: number, values: Partial<Fields> & { path?: string }): Reply {
  const known = ERRORS[code];
  const template = known?.message ?? `Twilio error ${code}`;
  const message = template
    .replace('{to}', values.to ?? '')
    .replace('{from}', values.from ?? '')
    .replace('{path}', values.path ?? '');
  const status = known?.status ?? 400;
  const body: Record<string, unknown> = {
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  };
  if (code === 20003) body.detail = 'Your AccountSid or AuthToken was incorrect.';
  return { status, body };
}

/** The Message resource as the create call returns it, before Twilio has sent anything. */
function messageResource(accountSid: string, message: AcceptedMessage): object {
  const now = new Date().toUTCString().replace('GMT', '+0000');
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}`;
  const viaService = message.messagingServiceSid !== null;
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body: message.body,
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: '0',
    // A Messaging Service picks the sender later, so Twilio reports 0 segments at first.
    num_segments: viaService ? '0' : String(segmentCount(message.body)),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: viaService && message.from === null ? 'accepted' : 'queued',
    subresource_uris: { media: `${uri}/Media.json` },
    uri: `${uri}.json`,
  };
}

/**
 * Estimates SMS segments: 160 characters in one GSM-7 segment and 153 per part when
 * split, or 70 and 67 for UCS-2. The GSM-7 test covers the basic character set only.
 */
function segmentCount(body: string): number {
  const gsm7 = /^[A-Za-z0-9 \r\n@£$¥!"#%&'()*+,\-./:;<=>?¡¿_§ÄÖÑÜäöñüàèéùìòÇØøÅåÆæßÉΔΦΓΛΩΠΨΣΘΞ]*$/;
  const [single, part] = gsm7.test(body) ? [160, 153] : [70, 67];
  return body.length <= single ? 1 : Math.ceil(body.length / part);
}
