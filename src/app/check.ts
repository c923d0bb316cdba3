import type { Env } from '../config/schema.js';
import { connectMongo } from '../db/mongo.js';
import { LdapDirectory } from '../directory/ldap-directory.js';
import { AppError } from '../errors/catalog.js';
import type { Logger } from '../log/logger.js';
import { SmtpMailSender } from '../mail/smtp-mail-sender.js';
import { connectRedis } from '../redis/connect.js';
import { redisCall } from '../redis/redis-call.js';
import { TwilioSmsSender } from '../sms/twilio-sms-sender.js';

export interface CheckResult {
  readonly service: string;
  readonly ok: boolean;
  /** The finding, or the reason the check failed. It never contains a secret. */
  readonly detail: string;
}

/**
 * Checks each configured service on its own, so that one that is down does not hide the
 * state of the others. Nothing is written and no message is sent.
 */
export async function checkServices(config: Readonly<Env>, logger: Logger): Promise<CheckResult[]> {
  return Promise.all([
    check('Active Directory', async () => {
      const directory = LdapDirectory.fromConfig(config, logger);
      try {
        await directory.ping();
        const policy = await directory.readPolicy();
        return `${config.LDAP_URL}: bound as the service account; domain minimum password length ${policy.minPasswordLength}, lockout after ${policy.lockoutThreshold} bad passwords`;
      } finally {
        await directory.close();
      }
    }),
    check('Redis', async () => {
      const redis = connectRedis(config.REDIS_URL ?? '', logger);
      try {
        await redisCall(`ping ${new URL(config.REDIS_URL ?? '').host}`, () => redis.ping());
        return 'answered PING';
      } finally {
        redis.disconnect();
      }
    }),
    check('MongoDB', async () => {
      const connection = await connectMongo(
        config.MONGODB_URI ?? '',
        config.MONGODB_TIMEOUT_MS,
        logger,
      );
      try {
        await connection.db?.admin().ping();
        return `answered ping on database ${connection.name}`;
      } finally {
        await connection.close();
      }
    }),
    config.MAIL_PROVIDER === 'smtp'
      ? check('SMTP', async () => {
          const mail = SmtpMailSender.fromConfig(config, logger);
          try {
            await mail.verify();
            return `${config.SMTP_HOST} answered with SMTP_TLS=${config.SMTP_TLS}`;
          } finally {
            await mail.close();
          }
        })
      : { service: 'Mail', ok: true, detail: 'MAIL_PROVIDER=console: mails are printed, not sent' },
    config.SMS_PROVIDER === 'twilio'
      ? check('Twilio', async () => {
          TwilioSmsSender.fromConfig(config, logger);
          return 'settings are valid; the credentials are first used by a real send';
        })
      : {
          service: 'SMS',
          ok: true,
          detail: 'SMS_PROVIDER=console: messages are printed, not sent',
        },
  ]);
}

async function check(service: string, run: () => Promise<string>): Promise<CheckResult> {
  try {
    return { service, ok: true, detail: await run() };
  } catch (error) {
    return { service, ok: false, detail: describe(error) };
  }
}

function describe(error: unknown): string {
  if (error instanceof AppError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
