import { randomBytes } from 'node:crypto';
import { dialogs } from '../../dialogs/index.js';
import { type App, assembleApp } from '../../src/app/app.js';
import { connectServices } from '../../src/app/production.js';
import { type Env, envSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/log/logger.js';
import { type MailCatcher, startMailCatcher } from '../standins/mail-catcher.js';
import { startTwilioStandIn, type TwilioStandIn } from '../standins/twilio-server.js';
import { services } from './services.js';

export const TWILIO_SID = `AC${'0'.repeat(31)}1`;
export const TWILIO_TOKEN = 'test-auth-token-0123456789abcdef';
export const TWILIO_FROM = '+15005550006';

export interface TestApp {
  readonly app: App;
  readonly config: Readonly<Env>;
  readonly twilio: TwilioStandIn;
  readonly mail: MailCatcher;
  /** Moves the engine's clock forward, so that verifications and conversations lapse. */
  advance(ms: number): void;
  /** The newest code texted to `e164`, waiting for it when needed. */
  smsCode(e164: string): Promise<string>;
  /** The newest code mailed to `address`, waiting for it when needed. */
  mailCode(address: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the production wiring (LDAP, Redis, MongoDB, Twilio client, SMTP) pointed at the test
 * run's Samba AD, Redis and FerretDB, a Twilio stand-in and a real SMTP server. Each app
 * gets its own Redis key prefix and database, so that tests do not share state.
 */
export async function startTestApp(settings: Record<string, string> = {}): Promise<TestApp> {
  const real = services();
  const samba = real.samba();
  const twilio = await startTwilioStandIn({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN });
  const mail = await startMailCatcher();
  const run = randomBytes(4).toString('hex');
  const mongoUri = new URL(real.mongodbUri());
  mongoUri.pathname = `/sspr-${run}`;

  const config = Object.freeze(
    envSchema.parse({
      LOG_LEVEL: process.env.SSPR_TEST_LOG_LEVEL ?? 'silent',
      LDAP_URL: samba.url,
      LDAP_CA_FILE: samba.caFile,
      LDAP_TLS_SERVERNAME: samba.serverName,
      LDAP_BIND_DN: samba.serviceBindDn,
      LDAP_BIND_PASSWORD: samba.servicePassword,
      LDAP_BASE_DN: samba.baseDn,
      REDIS_URL: real.redisUrl(),
      REDIS_KEY_PREFIX: `sspr-${run}:`,
      MONGODB_URI: mongoUri.toString(),
      CODE_HASH_KEY: randomBytes(32).toString('hex'),
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: TWILIO_SID,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      TWILIO_FROM,
      TWILIO_API_BASE_URL: twilio.url,
      MAIL_PROVIDER: 'smtp',
      SMTP_HOST: mail.host,
      SMTP_PORT: String(mail.port),
      SMTP_TLS: 'none',
      MAIL_FROM: 'sspr-bot@corp.example.test',
      ...settings,
    }),
  );
  const logger = createLogger({ level: config.LOG_LEVEL });
  let offset = 0;
  const now = () => Date.now() + offset;
  const app = assembleApp(config, logger, await connectServices(config, logger), dialogs, now);

  return {
    app,
    config,
    twilio,
    mail,
    advance(ms) {
      offset += ms;
    },
    async smsCode(e164) {
      // Change notices go to the same number; the code is in the next message that has one.
      for (;;) {
        const message = await twilio.waitForMessage(e164);
        const code = codeIn(message.body, config.CODE_LENGTH);
        if (code !== undefined) return code;
      }
    },
    async mailCode(address) {
      for (;;) {
        const received = await mail.next(address);
        const code = codeIn(received.text ?? '', config.CODE_LENGTH);
        if (code !== undefined) return code;
      }
    },
    async close() {
      await app.close();
      await Promise.allSettled([twilio.close(), mail.close()]);
    },
  };
}

function codeIn(text: string, length: number): string | undefined {
  return new RegExp(`\\b(\\d{${length}})\\b`).exec(text)?.[1];
}
