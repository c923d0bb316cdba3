import { MongoAuditTrail } from '../audit/mongo-audit-trail.js';
import { createSyslogSender } from '../audit/syslog.js';
import { RedisCodeStore } from '../codes/redis-code-store.js';
import type { Env } from '../config/schema.js';
import { connectMongo } from '../db/mongo.js';
import { LdapDirectory } from '../directory/ldap-directory.js';
import { RedisStateStore } from '../engine/redis-state-store.js';
import type { Logger } from '../log/logger.js';
import { ConsoleMailSender } from '../mail/console-mail-sender.js';
import type { MailSender } from '../mail/mail-sender.js';
import { SmtpMailSender } from '../mail/smtp-mail-sender.js';
import { connectRedis } from '../redis/connect.js';
import { MongoRegistrationStore } from '../registrations/mongo-registration-store.js';
import { ConsoleSmsSender } from '../sms/console-sms-sender.js';
import type { SmsSender } from '../sms/sms-sender.js';
import { TwilioSmsSender } from '../sms/twilio-sms-sender.js';
import { codeSettings, type ServiceSet } from './app.js';

/**
 * Connects every configured service: AD over LDAPS, Redis, MongoDB, and SMS and mail
 * through Twilio and SMTP (or the terminal, when configured so for a dry run).
 */
export async function connectServices(config: Readonly<Env>, logger: Logger): Promise<ServiceSet> {
  const redis = connectRedis(required(config.REDIS_URL), logger);
  const mongo = await connectMongo(
    required(config.MONGODB_URI),
    config.MONGODB_TIMEOUT_MS,
    logger,
  ).catch(async (error: unknown) => {
    redis.disconnect();
    throw error;
  });
  const registrations = new MongoRegistrationStore(mongo);
  const syslog =
    config.SYSLOG_HOST === undefined
      ? undefined
      : createSyslogSender(
          { host: config.SYSLOG_HOST, port: config.SYSLOG_PORT, protocol: config.SYSLOG_PROTOCOL },
          logger,
        );
  const audit = new MongoAuditTrail(mongo, logger, syslog);
  try {
    await Promise.all([registrations.ensureIndexes(), audit.ensureIndexes()]);
  } catch (error) {
    redis.disconnect();
    await mongo.close();
    throw error;
  }
  const directory = LdapDirectory.fromConfig(config, logger);
  const sms: SmsSender =
    config.SMS_PROVIDER === 'twilio'
      ? TwilioSmsSender.fromConfig(config, logger)
      : new ConsoleSmsSender(process.stdout);
  const mail: MailSender =
    config.MAIL_PROVIDER === 'smtp'
      ? SmtpMailSender.fromConfig(config, logger)
      : new ConsoleMailSender(process.stdout);

  const services = {
    directory,
    codes: new RedisCodeStore(redis, codeSettings(config), config.REDIS_KEY_PREFIX),
    state: new RedisStateStore(redis, config.REDIS_KEY_PREFIX, {
      lockTtlMs: turnLockTtlMs(config),
    }),
    sms,
    mail,
    registrations,
    audit,
  };
  return {
    services,
    check: async () => {
      await directory.ping();
      await redis.ping();
      await mongo.db?.admin().ping();
    },
    close: async () => {
      await Promise.allSettled([
        directory.close(),
        mail.close(),
        mongo.close(),
        redis.quit(),
        syslog?.close(),
      ]);
    },
  };
}

/**
 * Returns how long a conversation lock lives: longer than the slowest turn, a reset with
 * about eight directory calls at their timeout plus an SMS and a mail, so that the lock of
 * a turn still running never lapses. A crashed replica's lock frees itself after this.
 */
function turnLockTtlMs(config: Readonly<Env>): number {
  const slowestTurn = 8 * config.LDAP_TIMEOUT_MS + config.SMS_TIMEOUT_MS + config.SMTP_TIMEOUT_MS;
  return Math.max(30_000, slowestTurn);
}

function required(value: string | undefined): string {
  if (value === undefined) throw new Error('a required connection setting is missing');
  return value;
}
