import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load.js';

const complete = {
  LDAP_URL: 'ldaps://dc1.corp.example:636',
  LDAP_BIND_DN: 'svc-sspr@corp.example',
  LDAP_BIND_PASSWORD: 'service-secret',
  LDAP_BASE_DN: 'DC=corp,DC=example',
  REDIS_URL: 'redis://127.0.0.1:6379',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/sspr',
  CODE_HASH_KEY: 'k'.repeat(40),
  SMS_PROVIDER: 'console',
  MAIL_PROVIDER: 'console',
};

function problems(env: Record<string, string>, mode: 'chat' | 'serve' = 'chat'): string[] {
  try {
    loadConfig(mode, env, '/nonexistent/.env');
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('loadConfig', () => {
  it('accepts a complete configuration and freezes it', () => {
    const config = loadConfig('chat', complete, '/nonexistent/.env');
    expect(config.CODE_TTL_SECONDS).toBe(300);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists every missing setting at once', () => {
    const listed = problems({});
    expect(listed.map((line) => line.split(' ')[0])).toEqual(
      expect.arrayContaining([
        'LDAP_URL',
        'LDAP_BIND_DN',
        'LDAP_BIND_PASSWORD',
        'LDAP_BASE_DN',
        'REDIS_URL',
        'MONGODB_URI',
        'CODE_HASH_KEY',
        'TWILIO_ACCOUNT_SID',
        'SMTP_HOST',
      ]),
    );
  });

  it('names the invalid value and the rule', () => {
    const listed = problems({ ...complete, CODE_TTL_SECONDS: 'five', DEFAULT_REGION: 'Turkey' });
    expect(listed).toContain('CODE_TTL_SECONDS="five" must be a whole number');
    expect(listed).toContain(
      'DEFAULT_REGION="Turkey" must be a two-letter country code with phone numbers, such as TR or US',
    );
  });

  it('hides secret values in its messages', () => {
    const listed = problems({ ...complete, CODE_HASH_KEY: 'short' });
    expect(listed.join('\n')).not.toContain('short"');
    expect(listed.join('\n')).toContain('CODE_HASH_KEY is too short');
  });

  it('rejects plain LDAP without StartTLS', () => {
    const listed = problems({ ...complete, LDAP_URL: 'ldap://dc1.corp.example' });
    expect(listed.join('\n')).toContain('is plain LDAP: use ldaps:// or set LDAP_STARTTLS=true');
    expect(
      problems({ ...complete, LDAP_URL: 'ldap://dc1.corp.example', LDAP_STARTTLS: 'true' }),
    ).toEqual([]);
  });

  it('needs a chat platform to serve', () => {
    expect(problems(complete, 'serve').join('\n')).toContain(
      'Neither Slack nor Teams is configured',
    );
    const slack = { ...complete, SLACK_BOT_TOKEN: 'xoxb-1' };
    expect(problems(slack, 'serve').join('\n')).toContain('SLACK_SIGNING_SECRET is missing');
  });
});

describe('loadConfig safety checks', () => {
  it('accepts plain http API base URLs on loopback only', () => {
    expect(problems({ ...complete, SLACK_API_URL: 'http://127.0.0.1:9000/api/' })).toEqual([]);
    expect(
      problems({ ...complete, TWILIO_API_BASE_URL: 'http://twilio-proxy.corp.example' }),
    ).toContain(
      'TWILIO_API_BASE_URL="http://twilio-proxy.corp.example" must use https:// unless the host is 127.0.0.1, ::1 or localhost',
    );
  });

  it('refuses to serve codes into the log outside development', () => {
    const slack = { ...complete, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };
    expect(problems(slack, 'serve').join('\n')).toContain('SMS_PROVIDER=console prints codes');
    expect(problems({ ...slack, NODE_ENV: 'development' }, 'serve')).toEqual([]);
  });

  it('keeps unauthenticated Teams development mode on loopback', () => {
    const development = { ...complete, NODE_ENV: 'development', HTTP_HOST: '0.0.0.0' };
    expect(problems(development, 'serve').join('\n')).toContain(
      'would accept unauthenticated Teams requests',
    );
  });

  it('limits a single-tenant Teams bot to its tenant by default', () => {
    const tenant = '6f1c1b7e-0d0a-4c55-9a3e-2f7d8f5b1a01';
    const config = loadConfig(
      'chat',
      { ...complete, MICROSOFT_APP_TENANT_ID: tenant },
      '/nonexistent/.env',
    );
    expect(config.TEAMS_ALLOWED_TENANTS).toEqual([tenant]);
  });
});

describe('loadConfig problem list', () => {
  it('lists invalid and missing settings in one run', () => {
    const listed = problems({ NODE_ENV: 'prod', SYSLOG_PORT: '0x10', DEFAULT_REGION: 'XX' });
    const names = listed.map((line) => line.split(/[ =]/)[0]);
    expect(names).toEqual(
      expect.arrayContaining(['NODE_ENV', 'SYSLOG_PORT', 'DEFAULT_REGION', 'LDAP_URL']),
    );
  });

  it('rejects malformed sender, base DN and from address', () => {
    const listed = problems({
      ...complete,
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 't',
      TWILIO_FROM: '12345',
      LDAP_BASE_DN: 'not a dn',
      MAIL_PROVIDER: 'smtp',
      SMTP_HOST: 'smtp.corp.example',
      MAIL_FROM: 'not-an-address',
    });
    expect(listed.map((line) => line.split('=')[0])).toEqual([
      'LDAP_BASE_DN',
      'TWILIO_FROM',
      'MAIL_FROM',
    ]);
  });

  it('hides passwords inside URLs', () => {
    const listed = problems({ ...complete, REDIS_URL: 'http://user:RedisSecret9@127.0.0.1:1' });
    expect(listed.join('\n')).not.toContain('RedisSecret9');
    expect(listed.join('\n')).toContain('REDIS_URL="http://user:(hidden)@127.0.0.1:1"');
  });

  it('shows values of settings that are no secret', () => {
    expect(problems({ ...complete, PASSWORD_MIN_LENGTH: '300' })).toEqual([
      'PASSWORD_MIN_LENGTH="300" must be at most 256',
    ]);
  });
});

describe('loadConfig files', () => {
  it('reports .env lines that are not settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sspr-env-'));
    const path = join(dir, '.env');
    writeFileSync(path, '# comment\nLOG_LEVEL=debug\nthis line has no equals sign\n');
    expect(() => loadConfig('chat', complete, path)).toThrow(/line 3 is not NAME=value/);
  });

  it('reports a CA file that cannot be read', () => {
    expect(problems({ ...complete, LDAP_CA_FILE: '/nonexistent/ca.pem' })).toEqual([
      'LDAP_CA_FILE="/nonexistent/ca.pem" cannot be read (ENOENT): check the path and its permissions',
    ]);
  });

  it('rejects a URL without a host', () => {
    expect(problems({ ...complete, REDIS_URL: 'redis://' }).join('\n')).toContain(
      'must be a URL with a host',
    );
  });
});
