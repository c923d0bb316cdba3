import { accessSync, constants, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import type { z } from 'zod';
import { type Env, envSchema } from './schema.js';

/** What the process is about to run, which decides the settings that must be present. */
export type RunMode = 'chat' | 'serve' | 'check';

/** Raised with every missing or invalid setting listed, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads `.env` (when it exists) under the process environment, which wins, and validates
 * the result once. The returned config is frozen.
 */
export function loadConfig(
  mode: RunMode,
  source: NodeJS.ProcessEnv = process.env,
  dotenvPath = '.env',
): Readonly<Env> {
  const dotenv = readDotenv(dotenvPath);
  const merged = { ...dotenv.values, ...source };
  // Each setting is checked on its own, so that one run lists every problem at once.
  const problems: string[] = [...dotenv.problems];
  const invalid = new Set<string>();
  const values: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(envSchema.shape)) {
    const parsed = field.safeParse(merged[name]);
    if (parsed.success) {
      values[name] = parsed.data;
      continue;
    }
    invalid.add(name);
    problems.push(...describeIssues(name, parsed.error.issues, merged[name]));
  }
  const env = values as Env;
  problems.push(...missingFor(mode, env).filter((line) => !invalid.has(settingOf(line))));
  problems.push(...unreadableFiles(env));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(withDefaultTenants(env));
}

/**
 * Limits a single-tenant Teams bot to its own tenant when no allow-list is set. Only a
 * multi-tenant app serves every tenant by default.
 */
function withDefaultTenants(env: Env): Env {
  const tenant = env.MICROSOFT_APP_TENANT_ID;
  if (env.TEAMS_ALLOWED_TENANTS.length > 0 || env.MICROSOFT_APP_TYPE === 'MultiTenant') return env;
  if (tenant === undefined) return env;
  return { ...env, TEAMS_ALLOWED_TENANTS: [tenant] };
}

function readDotenv(path: string): { values: Record<string, string>; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { values: {}, problems: [] };
    throw new ConfigError([`${path} could not be read: ${(error as Error).message}`]);
  }
  // dotenv skips lines it cannot read, which would hide a typo, so they are reported.
  const problems = text.split(/\r?\n/).flatMap((line, index) => {
    const content = line.trim();
    if (content === '' || content.startsWith('#')) return [];
    if (/^(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=/.test(content)) return [];
    return [`${path} line ${index + 1} is not NAME=value: write each setting as NAME=value`];
  });
  return { values: parseDotenv(text), problems };
}

/** Settings that name a file the process must be able to read. */
const FILE_SETTINGS = [
  'LDAP_CA_FILE',
  'SMTP_CA_FILE',
  'MICROSOFT_APP_CERTIFICATE_KEY_FILE',
] as const;

function unreadableFiles(env: Env): string[] {
  return FILE_SETTINGS.flatMap((name) => {
    const path = env[name];
    if (path === undefined) return [];
    try {
      accessSync(path, constants.R_OK);
      return [];
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      return [
        `${name}=${JSON.stringify(path)} cannot be read (${reason}): check the path and its permissions`,
      ];
    }
  });
}

/** Settings whose values are never shown; `_FILE` settings name a path, which is. */
const SECRET_NAME = /(PASSWORD|TOKEN|SECRET|KEY)$/;

function describeIssues(name: string, issues: z.core.$ZodIssue[], value: unknown): string[] {
  const shown = SECRET_NAME.test(name) ? '(hidden)' : JSON.stringify(withoutCredentials(value));
  return issues.map((issue) => `${name}=${shown} ${issue.message}`);
}

/** Hides the password in a URL such as redis://user:secret@host, which a problem would show. */
function withoutCredentials(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/i, '$1:(hidden)@');
}

/** Returns the setting a problem line is about: its first word, up to `=` or a space. */
function settingOf(line: string): string {
  return line.split(/[ =]/, 1)[0] ?? '';
}

/** Lists settings that the given mode needs but that are unset. */
function missingFor(mode: RunMode, env: Env): string[] {
  const problems: string[] = [];
  const need = (name: keyof Env, why: string) => {
    if (env[name] === undefined) problems.push(`${name} is missing: ${why}`);
  };

  need('LDAP_URL', 'set the ldaps:// URL of a domain controller');
  need('LDAP_BIND_DN', 'set the service account DN or UPN');
  need('LDAP_BIND_PASSWORD', 'set the service account password');
  need('LDAP_BASE_DN', 'set the DN under which users are searched');
  need('REDIS_URL', 'set a redis:// or rediss:// URL');
  need('MONGODB_URI', 'set a mongodb:// URI');
  need('CODE_HASH_KEY', 'set a random secret of at least 32 characters');
  if (env.CODE_HASH_KEY !== undefined && env.CODE_HASH_KEY.length < 32) {
    problems.push('CODE_HASH_KEY is too short: use at least 32 random characters');
  }
  if (env.LDAP_URL?.startsWith('ldap:') && !env.LDAP_STARTTLS) {
    problems.push(
      `LDAP_URL=${JSON.stringify(env.LDAP_URL)} is plain LDAP: use ldaps:// or set LDAP_STARTTLS=true, because passwords are never written over an unencrypted connection`,
    );
  }

  if (env.SMS_PROVIDER === 'twilio') {
    need('TWILIO_ACCOUNT_SID', 'set the Twilio account SID, or SMS_PROVIDER=console');
    need('TWILIO_AUTH_TOKEN', 'set the Twilio auth token');
    if (env.TWILIO_FROM === undefined && env.TWILIO_MESSAGING_SERVICE_SID === undefined) {
      problems.push('TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is missing: set one of them');
    }
  }
  if (env.MAIL_PROVIDER === 'smtp' && env.SECONDARY_EMAIL_ENABLED) {
    need('SMTP_HOST', 'set the SMTP relay host, or MAIL_PROVIDER=console');
    need('MAIL_FROM', 'set the From address of mails the bot sends');
  }

  if (mode === 'serve') problems.push(...missingForServe(env));
  return problems;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

function missingForServe(env: Env): string[] {
  const problems: string[] = [];
  const development = env.NODE_ENV === 'development';
  if (!development && env.SMS_PROVIDER === 'console') {
    problems.push(
      'SMS_PROVIDER=console prints codes into the log instead of sending them: set SMS_PROVIDER=twilio, or NODE_ENV=development for a trial',
    );
  }
  if (!development && env.MAIL_PROVIDER === 'console' && env.SECONDARY_EMAIL_ENABLED) {
    problems.push(
      'MAIL_PROVIDER=console prints codes into the log instead of mailing them: set MAIL_PROVIDER=smtp, or NODE_ENV=development for a trial',
    );
  }
  if (development && env.MICROSOFT_APP_ID === undefined && !LOOPBACK_HOSTS.has(env.HTTP_HOST)) {
    problems.push(
      `HTTP_HOST=${JSON.stringify(env.HTTP_HOST)} with NODE_ENV=development and no MICROSOFT_APP_ID would accept unauthenticated Teams requests from the network: listen on 127.0.0.1, or set MICROSOFT_APP_ID`,
    );
  }
  const slack = env.SLACK_BOT_TOKEN !== undefined;
  const teams = env.MICROSOFT_APP_ID !== undefined || env.NODE_ENV === 'development';
  if (!slack && !teams) {
    problems.push('Neither Slack nor Teams is configured: set SLACK_BOT_TOKEN or MICROSOFT_APP_ID');
  }
  if (slack && env.SLACK_SOCKET_MODE && env.SLACK_APP_TOKEN === undefined) {
    problems.push('SLACK_APP_TOKEN is missing: Socket Mode needs an app-level token (xapp-...)');
  }
  if (slack && !env.SLACK_SOCKET_MODE && env.SLACK_SIGNING_SECRET === undefined) {
    problems.push('SLACK_SIGNING_SECRET is missing: HTTP mode verifies every request with it');
  }
  return problems;
}
