import { randomBytes } from 'node:crypto';
import { MemoryAuditTrail } from '../audit/memory-audit-trail.js';
import { MemoryCodeStore } from '../codes/memory-code-store.js';
import { type Env, envSchema } from '../config/schema.js';
import { DemoDirectory } from '../directory/demo-directory.js';
import { MemoryStateStore } from '../engine/memory-state-store.js';
import type { Logger } from '../log/logger.js';
import { ConsoleMailSender } from '../mail/console-mail-sender.js';
import { MemoryRegistrationStore } from '../registrations/memory-registration-store.js';
import { ConsoleSmsSender } from '../sms/console-sms-sender.js';
import { codeSettings, type ServiceSet } from './app.js';

/**
 * Returns the demo's settings: the documented defaults, with SMS and mail printed to the terminal
 * and a fresh random code key. Nothing is read from the environment or `.env`.
 */
export function demoConfig(): Readonly<Env> {
  return Object.freeze(
    envSchema.parse({
      NODE_ENV: 'demo',
      LOG_LEVEL: 'error',
      SMS_PROVIDER: 'console',
      MAIL_PROVIDER: 'console',
      CODE_HASH_KEY: randomBytes(32).toString('hex'),
      MAIL_FROM: 'sspr-bot@demo.example',
    }),
  );
}

/** In-process stand-ins for every service: a small AD-like directory and in-memory stores. */
export function demoServices(
  config: Readonly<Env>,
  logger: Logger,
  output: NodeJS.WritableStream,
  now: () => number = Date.now,
): ServiceSet {
  const services = {
    directory: new DemoDirectory(undefined, now),
    codes: new MemoryCodeStore(codeSettings(config), now),
    state: new MemoryStateStore(now),
    sms: new ConsoleSmsSender(output),
    mail: new ConsoleMailSender(output),
    registrations: new MemoryRegistrationStore(() => new Date(now())),
    audit: new MemoryAuditTrail(logger),
  };
  return { services, check: async () => {}, close: async () => {} };
}
