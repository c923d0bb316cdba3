import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { Writable } from 'node:stream';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { envSchema } from '../../src/config/schema.js';
import { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { toDirectoryError } from '../../src/directory/ldap-errors.js';
import type { LdapDirectorySettings } from '../../src/directory/ldap-settings.js';
import { AppError } from '../../src/errors/catalog.js';
import { createLogger } from '../../src/log/logger.js';
import {
  addMember,
  canBind,
  createGroup,
  createUser,
  lockOut,
  readAttributes,
  type TestUser,
} from '../harness/ad-users.js';
import { freeLoopbackPort } from '../harness/free-port.js';
import { randomPassword, TEST_LOCKOUT } from '../harness/samba.js';
import { type SambaService, services } from '../harness/services.js';

let samba: SambaService;
let directory: LdapDirectory;
const logLines: string[] = [];

function settings(overrides: Partial<LdapDirectorySettings> = {}): LdapDirectorySettings {
  return {
    url: samba.url,
    startTls: false,
    caFile: samba.caFile,
    tlsServerName: samba.serverName,
    bindDn: samba.serviceBindDn,
    bindPassword: samba.servicePassword,
    baseDn: samba.baseDn,
    identityAttributes: ['userPrincipalName', 'mail'],
    phoneAttributes: ['mobile', 'telephoneNumber'],
    protectedGroups: ['Domain Admins', 'Administrators'],
    poolSize: 2,
    connectTimeoutMs: 2000,
    timeoutMs: 10_000,
    ...overrides,
  };
}

function capturingLogger() {
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  return createLogger({ level: 'debug', name: 'ldap-test' }, destination);
}

function newDirectory(overrides: Partial<LdapDirectorySettings> = {}): LdapDirectory {
  return new LdapDirectory(settings(overrides), capturingLogger());
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

async function pwdLastSet(user: TestUser): Promise<string | undefined> {
  return (await readAttributes(samba, user.dn, ['pwdLastSet'])).pwdLastSet?.[0];
}

beforeAll(() => {
  samba = services().samba();
  directory = newDirectory();
});

afterAll(async () => {
  await directory?.close();
});

describe('LdapDirectory lookup', () => {
  it('finds by UPN and by mail', async () => {
    const user = await createUser(samba, { mail: `mail-${Date.now()}@example.org` });

    const byUpn = await directory.findAccount(user.upn);
    const byMail = await directory.findAccount(user.mail);

    expect(byUpn?.dn).toBe(user.dn);
    expect(byUpn?.sAMAccountName).toBe(user.sAMAccountName);
    expect(byMail?.dn).toBe(user.dn);
    expect(byMail?.mail).toBe(user.mail);
  });

  it('returns undefined for unknown names', async () => {
    expect(await directory.findAccount(`nobody-${Date.now()}@corp.example.test`)).toBeUndefined();
  });

  it('finds nothing for injection strings', async () => {
    const user = await createUser(samba);
    const attempts = [
      '*',
      ')(',
      '\\',
      '\\2a',
      'a\u0000b',
      `${user.upn})(mail=*`,
      `*)(objectClass=*`,
      `${user.upn.slice(0, 4)}*`,
      `${user.upn}\u0000`,
      'x'.repeat(257),
      '   ',
      '',
    ];
    for (const name of attempts) {
      await expect(directory.findAccount(name), JSON.stringify(name)).resolves.toBeUndefined();
    }
  });

  it('reads phones in configured order', async () => {
    const user = await createUser(samba);
    const withoutMobile = await createUser(samba, { mobile: null });

    const account = await directory.findAccount(user.upn);
    const none = await directory.findAccount(withoutMobile.upn);

    expect(account?.phones).toEqual([user.mobile]);
    expect(none?.phones).toEqual([]);
  });

  it('reads disabled and privileged flags', async () => {
    const plain = await createUser(samba);
    const disabled = await createUser(samba, { disabled: true });
    const admin = await createUser(samba, { privileged: true });

    const plainAccount = await directory.findAccount(plain.upn);
    const disabledAccount = await directory.findAccount(disabled.upn);
    const adminAccount = await directory.findAccount(admin.upn);

    expect(plainAccount?.disabled).toBe(false);
    expect(plainAccount?.privileged).toBe(false);
    expect(plainAccount?.locked).toBe(false);
    expect(disabledAccount?.disabled).toBe(true);
    expect(disabledAccount?.privileged).toBe(false);
    expect(adminAccount?.privileged).toBe(true);
    expect(adminAccount?.groups).toContain('Domain Admins');
  });

  it('reads nested protected group membership', async () => {
    const user = await createUser(samba);
    const outer = await createGroup(samba);
    const inner = await createGroup(samba);
    await addMember(samba, `CN=Domain Admins,CN=Users,${samba.baseDn}`, outer);
    await addMember(samba, outer, inner);
    await addMember(samba, inner, user.dn);

    const account = await directory.findAccount(user.upn);

    expect(account?.privileged).toBe(true);
    expect(account?.groups).toHaveLength(1);
  });

  it('reads the domain policy', async () => {
    const policy = await directory.readPolicy();

    expect(policy.minPasswordLength).toBe(7);
    expect(policy.complexity).toBe(true);
    expect(policy.historyLength).toBe(24);
    expect(policy.minPasswordAgeSeconds).toBe(0);
    expect(policy.lockoutThreshold).toBe(TEST_LOCKOUT.threshold);
    expect(policy.lockoutDurationSeconds).toBe(TEST_LOCKOUT.durationMinutes * 60);
  });

  it('raises NO_SUCH_OBJECT for an unknown DN', async () => {
    await expectCode(
      directory.readAccount(`CN=nobody${Date.now()},${samba.delegatedOu}`),
      'DIRECTORY_NO_SUCH_OBJECT',
    );
  });
});

describe('LdapDirectory reset', () => {
  it('sets a password that binds', async () => {
    const user = await createUser(samba);
    const before = await pwdLastSet(user);
    const password = randomPassword();

    const outcome = await directory.resetPassword(user.dn, password, {
      unlock: false,
      mustChangeAtNextLogon: false,
    });

    expect(await canBind(samba, user.upn, password)).toBe(true);
    expect(await canBind(samba, user.upn, user.password)).toBe(false);
    expect(await pwdLastSet(user)).not.toBe(before);
    expect(outcome.unlocked).toBe(false);
    expect(Math.abs((outcome.pwdLastSet?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('sets a non-ASCII password that binds', async () => {
    const user = await createUser(samba);
    const password = 'Şifre-Güçlü-42ä';

    await directory.resetPassword(user.dn, password, {
      unlock: false,
      mustChangeAtNextLogon: false,
    });

    expect(await canBind(samba, user.upn, password)).toBe(true);
  });

  it('sets must-change at next logon', async () => {
    const user = await createUser(samba);

    const outcome = await directory.resetPassword(user.dn, randomPassword(), {
      unlock: false,
      mustChangeAtNextLogon: true,
    });

    expect(await pwdLastSet(user)).toBe('0');
    expect(outcome.pwdLastSet).toBeUndefined();
    expect((await directory.readAccount(user.dn)).pwdLastSet).toBeUndefined();
  });

  it('maps a policy refusal and keeps the password out', async () => {
    const user = await createUser(samba);
    const before = await pwdLastSet(user);
    const weak = 'abc12';

    const error = await expectCode(
      directory.resetPassword(user.dn, weak, { unlock: false, mustChangeAtNextLogon: false }),
      'DIRECTORY_POLICY',
    );

    expect(error.message).not.toContain(weak);
    expect(String((error.cause as Error).message)).not.toContain(weak);
    expect(await pwdLastSet(user)).toBe(before);
    expect(await canBind(samba, user.upn, user.password)).toBe(true);
  });

  it('maps a real history refusal', async () => {
    // Samba 4.17 ignores the policy hints control, so an administrative reset never hits
    // the history there. A user's own password change does, and yields the server's text.
    const user = await createUser(samba);
    const client = new Client({
      url: samba.url,
      tlsOptions: { ca: [readFileSync(samba.caFile)], servername: samba.serverName },
    });
    const quoted = (password: string) => Buffer.from(`"${password}"`, 'utf16le');
    let serverError: unknown;
    try {
      await client.bind(user.upn, user.password);
      await client.modify(user.dn, [
        new Change({
          operation: 'delete',
          modification: new Attribute({ type: 'unicodePwd', values: [quoted(user.password)] }),
        }),
        new Change({
          operation: 'add',
          modification: new Attribute({ type: 'unicodePwd', values: [quoted(user.password)] }),
        }),
      ]);
    } catch (error) {
      serverError = error;
    } finally {
      await client.unbind();
    }

    expect(serverError).toBeDefined();
    expect(toDirectoryError(serverError, `change ${user.dn}`).code).toBe('DIRECTORY_HISTORY');
  });

  it('resets and unlocks a locked account', async () => {
    const user = await createUser(samba);
    await lockOut(samba, user);
    expect((await directory.findAccount(user.upn))?.locked).toBe(true);
    const password = randomPassword();

    const outcome = await directory.resetPassword(user.dn, password, {
      unlock: true,
      mustChangeAtNextLogon: false,
    });

    expect(outcome.unlocked).toBe(true);
    expect((await directory.readAccount(user.dn)).locked).toBe(false);
    expect(await canBind(samba, user.upn, password)).toBe(true);
  });

  it('rejects a reset outside the delegated OU', async () => {
    const user = await createUser(samba, { ou: 'outside' });
    const before = await pwdLastSet(user);
    const password = randomPassword();

    await expectCode(
      directory.resetPassword(user.dn, password, { unlock: false, mustChangeAtNextLogon: false }),
      'DIRECTORY_INSUFFICIENT_RIGHTS',
    );

    expect(await pwdLastSet(user)).toBe(before);
    expect(await canBind(samba, user.upn, password)).toBe(false);
    expect(await canBind(samba, user.upn, user.password)).toBe(true);
  });

  it('never logs a password', async () => {
    const user = await createUser(samba);
    const password = `Log-${randomPassword()}`;
    await directory.resetPassword(user.dn, password, {
      unlock: false,
      mustChangeAtNextLogon: false,
    });
    await directory
      .resetPassword(user.dn, 'short', { unlock: false, mustChangeAtNextLogon: false })
      .catch(() => undefined);

    const log = logLines.join('');
    expect(log).toContain('password reset confirmed');
    expect(log).not.toContain(password);
    expect(log).not.toContain(samba.servicePassword);
  });
});

describe('LdapDirectory unlock', () => {
  it('unlocks after a real lockout', async () => {
    const user = await createUser(samba);
    await lockOut(samba, user);
    expect(await canBind(samba, user.upn, user.password)).toBe(false);
    const locked = await directory.findAccount(user.upn);
    expect(locked?.locked).toBe(true);
    expect(locked?.lockedAt).toBeInstanceOf(Date);

    await directory.unlock(user.dn);

    expect((await readAttributes(samba, user.dn, ['lockoutTime'])).lockoutTime).toEqual(['0']);
    expect((await directory.findAccount(user.upn))?.locked).toBe(false);
    expect(await canBind(samba, user.upn, user.password)).toBe(true);
  });

  it('rejects an unlock outside the delegated OU', async () => {
    const user = await createUser(samba, { ou: 'outside' });
    await lockOut(samba, user);

    await expectCode(directory.unlock(user.dn), 'DIRECTORY_INSUFFICIENT_RIGHTS');

    expect((await directory.findAccount(user.upn))?.locked).toBe(true);
  });
});

describe('LdapDirectory connections', () => {
  it('reuses pooled connections', async () => {
    const pooled = newDirectory({ poolSize: 2 });
    const user = await createUser(samba);
    try {
      for (let round = 0; round < 5; round += 1) await pooled.findAccount(user.upn);
      expect(pooled.poolStats().opened).toBe(1);

      await Promise.all(Array.from({ length: 6 }, () => pooled.findAccount(user.upn)));
      expect(pooled.poolStats().opened).toBeLessThanOrEqual(2);
      expect(pooled.poolStats().busy).toBe(0);
    } finally {
      await pooled.close();
    }
  });

  it('works over StartTLS', async () => {
    const startTls = newDirectory({ url: 'ldap://127.0.0.1:389', startTls: true });
    const user = await createUser(samba);
    const password = randomPassword();
    try {
      await startTls.ping();
      expect((await startTls.findAccount(user.upn))?.dn).toBe(user.dn);
      await startTls.resetPassword(user.dn, password, {
        unlock: false,
        mustChangeAtNextLogon: false,
      });
      expect(await canBind(samba, user.upn, password)).toBe(true);
    } finally {
      await startTls.close();
    }
  });

  it('builds from the LDAP settings', async () => {
    const config = envSchema.parse({
      LDAP_URL: samba.url,
      LDAP_CA_FILE: samba.caFile,
      LDAP_TLS_SERVERNAME: samba.serverName,
      LDAP_BIND_DN: samba.serviceBindDn,
      LDAP_BIND_PASSWORD: samba.servicePassword,
      LDAP_BASE_DN: samba.baseDn,
    });
    const user = await createUser(samba);
    const configured = LdapDirectory.fromConfig(config, capturingLogger());
    try {
      await configured.ping();
      expect((await configured.findAccount(user.mail))?.phones).toEqual([user.mobile]);
    } finally {
      await configured.close();
    }
  });

  it('rejects missing LDAP settings', () => {
    const config = envSchema.parse({});
    expect(() => LdapDirectory.fromConfig(config, capturingLogger())).toThrow(
      /LDAP_URL is missing/,
    );
  });

  it('rejects plain LDAP without StartTLS', () => {
    expect(() => newDirectory({ url: 'ldap://127.0.0.1:389' })).toThrow(ConfigError);
  });

  it('reconnects after a dropped connection', async () => {
    const proxy = await startProxy(636);
    const proxied = newDirectory({ url: `ldaps://127.0.0.1:${proxy.port}` });
    const user = await createUser(samba);
    try {
      expect((await proxied.findAccount(user.upn))?.dn).toBe(user.dn);
      proxy.dropConnections();
      await new Promise((resolve) => setTimeout(resolve, 100));

      expect((await proxied.findAccount(user.upn))?.dn).toBe(user.dn);
      expect(proxied.poolStats().opened).toBe(2);

      // Without the pause, the drop can land while the request is in flight.
      proxy.dropConnections();
      expect((await proxied.findAccount(user.upn))?.dn).toBe(user.dn);
      expect(proxied.poolStats().opened).toBe(3);
    } finally {
      await proxied.close();
      await proxy.close();
    }
  });

  it('raises UNAVAILABLE fast when the server is down', async () => {
    const port = await freeLoopbackPort();
    const down = newDirectory({ url: `ldaps://127.0.0.1:${port}` });
    const started = Date.now();
    try {
      await expectCode(down.findAccount('someone@corp.example.test'), 'DIRECTORY_UNAVAILABLE');
      await expectCode(down.ping(), 'DIRECTORY_UNAVAILABLE');
    } finally {
      await down.close();
    }
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('raises UNAVAILABLE when the server hangs', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const hanging = newDirectory({ url: `ldaps://127.0.0.1:${port}`, connectTimeoutMs: 300 });
    const started = Date.now();
    try {
      await expectCode(hanging.ping(), 'DIRECTORY_UNAVAILABLE');
    } finally {
      await hanging.close();
      silent.close();
    }
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('raises BIND_FAILED for a wrong service password', async () => {
    const wrong = newDirectory({ bindPassword: 'not-the-password' });
    try {
      const error = await expectCode(wrong.ping(), 'DIRECTORY_BIND_FAILED');
      expect(error.message).not.toContain('not-the-password');
    } finally {
      await wrong.close();
    }
  });

  it('verifies the server certificate name', async () => {
    const mismatch = newDirectory({ tlsServerName: 'other.example.test' });
    try {
      await expectCode(mismatch.ping(), 'DIRECTORY_TLS_FAILED');
    } finally {
      await mismatch.close();
    }
  });
});

/** Starts a TCP proxy to a local samba port whose connections the test can cut. */
async function startProxy(targetPort: number) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
