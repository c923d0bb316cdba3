import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';

/**
 * Environment variables that sspr-bot reads, with their defaults. Every variable is
 * documented, with its unit and default, in `.env.example`; keep the two in step.
 */

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], {
      error: 'must be true or false',
    })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** Decimal digits only, so that `0x10` or `1e3` is not read as a number. */
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

const int = (fallback: number, min: number, max: number) =>
  z.preprocess(
    (value) => (value === undefined || value === '' ? String(fallback) : value),
    wholeNumber(min, max),
  );

const optionalInt = (min: number, max: number) =>
  z.preprocess((value) => (value === '' ? undefined : value), wholeNumber(min, max).optional());

/** One of the listed values, with an error that lists them. */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z.enum(values, { error: `must be one of: ${values.join(', ')}` }).default(fallback);

const list = (fallback: string[]) =>
  z
    .string()
    .default(fallback.join(','))
    .transform((value) =>
      value
        .split(/[,;]/)
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    );

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          const parsed = new URL(value);
          return protocols.includes(parsed.protocol) && parsed.hostname !== '';
        } catch {
          return false;
        }
      },
      {
        error: `must be a URL with a host, starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      },
    );

const optionalUrl = (protocols: string[]) =>
  z.preprocess((value) => (value === '' ? undefined : value), url(protocols).optional());

/**
 * An API base URL: https, or plain http only to a loopback host (a local proxy or a test
 * stand-in), because these requests carry auth tokens and codes.
 */
const apiBaseUrl = z.preprocess(
  (value) => (value === '' ? undefined : value),
  url(['https:', 'http:'])
    .refine(
      (value) => {
        const parsed = new URL(value);
        return (
          parsed.protocol === 'https:' ||
          ['127.0.0.1', '[::1]', 'localhost'].includes(parsed.hostname)
        );
      },
      { error: 'must use https:// unless the host is 127.0.0.1, ::1 or localhost' },
    )
    .optional(),
);

/** Groups whose members are never served by self-service, in addition to adminCount = 1. */
export const DEFAULT_PROTECTED_GROUPS = [
  'Domain Admins',
  'Enterprise Admins',
  'Schema Admins',
  'Administrators',
  'Account Operators',
  'Backup Operators',
  'Server Operators',
  'Print Operators',
  'Group Policy Creator Owners',
];

export const envSchema = z.object({
  NODE_ENV: oneOf(['production', 'development', 'test', 'demo'], 'production'),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  LOCALE: oneOf(['en'], 'en'),

  // Directory (Active Directory over LDAPS or StartTLS).
  LDAP_URL: optionalUrl(['ldaps:', 'ldap:']),
  LDAP_STARTTLS: bool(false),
  LDAP_CA_FILE: optionalText,
  LDAP_TLS_SERVERNAME: optionalText,
  LDAP_BIND_DN: optionalText,
  LDAP_BIND_PASSWORD: optionalText,
  LDAP_BASE_DN: optionalText.refine(
    (value) =>
      value === undefined || /^[A-Za-z][\w-]*=[^,]+(?:,\s*[A-Za-z][\w-]*=[^,]+)*$/.test(value),
    { error: 'must be a DN such as DC=corp,DC=example' },
  ),
  LDAP_IDENTITY_ATTRIBUTES: list(['userPrincipalName', 'mail']),
  LDAP_PHONE_ATTRIBUTES: list(['mobile', 'telephoneNumber']),
  LDAP_PROTECTED_GROUPS: list(DEFAULT_PROTECTED_GROUPS),
  LDAP_POOL_SIZE: int(2, 1, 16),
  LDAP_CONNECT_TIMEOUT_MS: int(5000, 100, 60000),
  LDAP_TIMEOUT_MS: int(10000, 100, 120000),

  // Conversation state and codes in Redis.
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  REDIS_KEY_PREFIX: z.string().default('sspr:'),

  // Registrations and audit in MongoDB.
  MONGODB_URI: optionalUrl(['mongodb:', 'mongodb+srv:']),
  MONGODB_TIMEOUT_MS: int(5000, 100, 60000),

  // One-time codes.
  CODE_HASH_KEY: optionalText,
  CODE_LENGTH: int(6, 4, 10),
  CODE_TTL_SECONDS: int(300, 10, 3600),
  CODE_MAX_ATTEMPTS: int(3, 1, 10),
  CODE_RESEND_COOLDOWN_SECONDS: int(60, 0, 3600),
  CODE_MAX_SENDS_PER_ACCOUNT_PER_HOUR: int(5, 1, 100),
  CODE_MAX_SENDS_PER_DESTINATION_PER_HOUR: int(5, 1, 100),

  // Conversations.
  FLOW_IDLE_TIMEOUT_SECONDS: int(600, 60, 86400),
  VERIFY_REQUIRE_FULL_PHONE: bool(true),
  VERIFY_MAX_MISMATCHES_PER_HOUR: int(6, 1, 100),
  VERIFICATION_VALID_SECONDS: int(600, 60, 3600),
  RESET_UNLOCKS_ACCOUNT: bool(true),
  RESET_MUST_CHANGE_AT_NEXT_LOGON: bool(false),
  PASSWORD_MIN_LENGTH: optionalInt(1, 256),
  PASSWORD_MAX_LENGTH: int(256, 8, 256),

  // SMS.
  SMS_PROVIDER: oneOf(['twilio', 'console'], 'twilio'),
  DEFAULT_REGION: z
    .string()
    .trim()
    .default('TR')
    .transform((value) => value.toUpperCase())
    .refine((value) => isSupportedCountry(value), {
      error: 'must be a two-letter country code with phone numbers, such as TR or US',
    }),
  TWILIO_ACCOUNT_SID: optionalText.refine(
    (value) => value === undefined || /^AC[0-9a-f]{32}$/i.test(value),
    { error: 'must be AC followed by 32 hexadecimal digits, as the Twilio console shows it' },
  ),
  TWILIO_AUTH_TOKEN: optionalText,
  TWILIO_FROM: optionalText.refine(
    (value) =>
      value === undefined ||
      /^\+[1-9]\d{6,14}$/.test(value) ||
      /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(value),
    {
      error:
        'must be an E.164 number such as +15005550006, or an alphanumeric sender ID of up to 11 characters',
    },
  ),
  TWILIO_MESSAGING_SERVICE_SID: optionalText,
  TWILIO_API_BASE_URL: apiBaseUrl,
  /** Maximum time in ms for one Twilio request, after which the send fails with SMS_FAILED. */
  SMS_TIMEOUT_MS: int(10000, 500, 120000),

  // Mail.
  MAIL_PROVIDER: oneOf(['smtp', 'console'], 'smtp'),
  SMTP_HOST: optionalText,
  SMTP_PORT: optionalInt(1, 65535),
  SMTP_TLS: oneOf(['implicit', 'starttls', 'none'], 'starttls'),
  SMTP_USER: optionalText,
  SMTP_PASSWORD: optionalText,
  SMTP_CA_FILE: optionalText,
  SMTP_TLS_SERVERNAME: optionalText,
  SMTP_TIMEOUT_MS: int(10000, 500, 120000),
  MAIL_FROM: optionalText.refine(
    (value) => value === undefined || /^(?:[^<>]*<)?[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>?$/.test(value),
    { error: 'must be an address such as sspr@corp.example, or "Name <sspr@corp.example>"' },
  ),

  // Secondary e-mail.
  SECONDARY_EMAIL_ENABLED: bool(true),
  SECONDARY_EMAIL_ALLOWED_DOMAINS: list([]),
  SECONDARY_EMAIL_BLOCKED_DOMAINS: list([]),
  SECONDARY_EMAIL_ALLOW_CORPORATE: bool(false),
  SECONDARY_EMAIL_COOLING_OFF_HOURS: int(0, 0, 720),

  // HTTP server for Slack and Teams.
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: int(3978, 0, 65535),

  // Slack.
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_SOCKET_MODE: bool(false),
  SLACK_APP_TOKEN: optionalText,
  SLACK_API_URL: apiBaseUrl,

  // Microsoft Teams.
  MICROSOFT_APP_ID: optionalText,
  MICROSOFT_APP_PASSWORD: optionalText,
  MICROSOFT_APP_TYPE: oneOf(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], 'SingleTenant'),
  MICROSOFT_APP_TENANT_ID: optionalText,
  MICROSOFT_APP_CERTIFICATE_THUMBPRINT: optionalText,
  MICROSOFT_APP_CERTIFICATE_KEY_FILE: optionalText,
  TEAMS_ALLOWED_TENANTS: list([]),

  // Audit to syslog.
  SYSLOG_HOST: optionalText,
  SYSLOG_PORT: int(514, 1, 65535),
  SYSLOG_PROTOCOL: oneOf(['udp', 'tcp'], 'udp'),
});

export type Env = z.output<typeof envSchema>;
