import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'ldapts';
import type { SambaService } from './services.js';
import type { Started } from './started.js';

const run = promisify(execFile);

const REALM = 'CORP.EXAMPLE.TEST';
const DOMAIN = 'CORP';
const BASE_DN = 'DC=corp,DC=example,DC=test';
const DELEGATED_OU = `OU=SelfService,${BASE_DN}`;
const OUTSIDE_OU = `OU=Outside,${BASE_DN}`;
const SERVICE_ACCOUNT = 'svc-sspr';
const PACKAGES = ['samba', 'samba-ad-dc', 'winbind', 'krb5-user', 'ldb-tools', 'smbclient'];

/** Schema and extended-right GUIDs for the delegation, as AD defines them. */
const GUID = {
  userClass: 'bf967aba-0de6-11d0-a285-00aa003049e2',
  resetPasswordRight: '00299570-246d-11d0-a768-00aa006e0529',
  lockoutTimeAttribute: '28630ebf-41d5-11d1-a9c1-0000f80367c1',
  pwdLastSetAttribute: 'bf967a0a-0de6-11d0-a285-00aa003049e2',
};

/** Lockout settings for the test domain: three bad passwords lock for five minutes. */
export const TEST_LOCKOUT = { threshold: 3, durationMinutes: 5 };

const STARTUP_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * Provisions a Samba AD domain controller into `dir`, starts it on loopback, and seeds the
 * delegated OU, an outside OU, a least-privilege service account and the lockout policy.
 * Installs the Debian packages first when samba-tool is missing, which needs root.
 */
export async function startSamba(dir: string): Promise<Started<SambaService>> {
  await ensureInstalled();
  const unlock = await lockMachineWide();
  try {
    await assertPortsFree([389, 636]);
    return await startLocked(dir, unlock);
  } catch (error) {
    unlock();
    throw error;
  }
}

async function startLocked(dir: string, unlock: () => void): Promise<Started<SambaService>> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const adminPassword = randomPassword();
  await provision(dir, adminPassword);

  const smbConf = join(dir, 'etc', 'smb.conf');
  const privateDir = join(dir, 'private');
  const samba = startDaemon(dir, smbConf);
  try {
    const caFile = join(privateDir, 'tls', 'ca.pem');
    const serverName = await waitForCertificate(privateDir, samba);
    const adminBindDn = `CN=Administrator,CN=Users,${BASE_DN}`;
    await waitForLdaps({ caFile, serverName, bindDn: adminBindDn, password: adminPassword }, samba);

    const servicePassword = randomPassword();
    await seed(privateDir, servicePassword);
    const value: SambaService = {
      url: 'ldaps://127.0.0.1:636',
      caFile,
      serverName,
      realm: REALM,
      baseDn: BASE_DN,
      delegatedOu: DELEGATED_OU,
      outsideOu: OUTSIDE_OU,
      serviceBindDn: `CN=${SERVICE_ACCOUNT},CN=Users,${BASE_DN}`,
      servicePassword,
      adminBindDn,
      adminPassword,
      privateDir,
      smbConf,
    };
    const stop = async () => {
      await stopDaemon(samba);
      rmSync(dir, { recursive: true, force: true });
      unlock();
    };
    return { value, stop };
  } catch (error) {
    await stopDaemon(samba);
    throw new Error(`Samba failed to start; see ${join(dir, 'samba.log')}`, { cause: error });
  }
}

const LOCK_FILE = join(tmpdir(), 'sspr-bot-samba.lock');
const LOCK_WAIT_MS = 20 * 60_000;

/**
 * Waits until no other test run on this machine uses Samba, because a domain controller
 * needs the fixed ports 389, 636, 445 and 88. The lock file contains the owner's pid, so a
 * lock left by a run that died is taken over.
 */
async function lockMachineWide(): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      writeFileSync(LOCK_FILE, String(process.pid), { flag: 'wx' });
      return () => rmSync(LOCK_FILE, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSync(LOCK_FILE, 'utf8').trim());
    if (!Number.isInteger(owner) || owner <= 0 || !isRunning(owner)) {
      rmSync(LOCK_FILE, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `another test run (pid ${owner}) has held Samba for 20 minutes; see ${LOCK_FILE}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Installs the Samba packages with apt-get when samba-tool is not on the PATH. */
async function ensureInstalled(): Promise<void> {
  const present = await Promise.all(['samba', 'samba-tool', 'ldbmodify'].map(commandExists));
  if (present.every(Boolean)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const options = { env, maxBuffer: 64 * 1024 * 1024 };
  try {
    await run('apt-get', ['update'], options);
    await run('apt-get', ['install', '-y', ...PACKAGES], options);
  } catch (error) {
    throw new Error(
      `Samba is not installed, and installing ${PACKAGES.join(' ')} with apt-get failed (this needs root)`,
      { cause: error },
    );
  }
}

async function commandExists(name: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits up to a minute for the ports to be free, because a run that is stopping may
 * still hold them, then fails with how to find the holder.
 */
async function assertPortsFree(ports: number[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (const port of ports) {
    while (await portInUse(port)) {
      if (Date.now() > deadline) {
        throw new Error(
          `127.0.0.1:${port} is already in use, probably by a samba from an earlier test run. ` +
            `Find it with "ss -ltnp 'sport = :${port}'", stop that process, and run the tests again.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function provision(dir: string, adminPassword: string): Promise<void> {
  await run('samba-tool', [
    'domain',
    'provision',
    `--targetdir=${dir}`,
    `--realm=${REALM}`,
    `--domain=${DOMAIN}`,
    '--server-role=dc',
    '--dns-backend=NONE',
    `--adminpass=${adminPassword}`,
    '--use-rfc2307',
    '--option=interfaces=lo',
    '--option=bind interfaces only=yes',
    `--option=log file=${join(dir, 'log.%m')}`,
  ]);
  // Samba accepts the previous password for 60 minutes after a reset by default, which
  // would hide whether a reset took effect. Provisioning drops this option, so it is
  // added to smb.conf afterwards, with a pid directory of the run's own instead of
  // /run/samba, where a stale pid file would stop the next run from starting.
  const smbConf = join(dir, 'etc', 'smb.conf');
  const config = readFileSync(smbConf, 'utf8');
  writeFileSync(
    smbConf,
    config.replace(
      /^\[global\]$/m,
      `[global]\n\told password allowed period = 0\n\tpid directory = ${dir}`,
    ),
  );
}

function startDaemon(dir: string, smbConf: string): ChildProcess {
  const log = openSync(join(dir, 'samba.log'), 'a');
  // A process group of its own, so that stop() ends samba and any child it forks.
  const child = spawn('samba', ['-i', '-M', 'single', '-s', smbConf], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const killOnExit = () => signalGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  return child;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Waits for the self-signed certificate that samba writes at first start and returns the
 * DNS name it is issued to, which TLS clients must verify against.
 */
async function waitForCertificate(privateDir: string, samba: ChildProcess): Promise<string> {
  const certFile = join(privateDir, 'tls', 'cert.pem');
  await waitFor('the TLS certificate', samba, async () => existsSync(certFile));
  const subject = new X509Certificate(readFileSync(certFile)).subject;
  const commonName = /(?:^|\n)CN=([^\n]+)/.exec(subject)?.[1];
  if (!commonName) throw new Error(`${certFile} has no common name in "${subject}"`);
  return commonName;
}

async function waitForLdaps(
  login: { caFile: string; serverName: string; bindDn: string; password: string },
  samba: ChildProcess,
): Promise<void> {
  await waitFor('LDAPS on 127.0.0.1:636', samba, async () => {
    const client = new Client({
      url: 'ldaps://127.0.0.1:636',
      connectTimeout: 2000,
      timeout: 5000,
      tlsOptions: { ca: [readFileSync(login.caFile)], servername: login.serverName },
    });
    try {
      await client.bind(login.bindDn, login.password);
      return true;
    } catch {
      return false;
    } finally {
      await client.unbind().catch(() => undefined);
    }
  });
}

async function waitFor(
  description: string,
  samba: ChildProcess,
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (samba.exitCode !== null || samba.signalCode !== null) {
      throw new Error(
        `samba exited (${samba.exitCode ?? samba.signalCode}) before ${description} was ready`,
      );
    }
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${STARTUP_TIMEOUT_MS} ms waiting for ${description}`);
}

/** Creates the OUs, the delegated service account and the password and lockout policy. */
async function seed(privateDir: string, servicePassword: string): Promise<void> {
  const database = ['-H', join(privateDir, 'sam.ldb')];
  await run('samba-tool', ['ou', 'create', DELEGATED_OU, ...database]);
  await run('samba-tool', ['ou', 'create', OUTSIDE_OU, ...database]);
  await run('samba-tool', ['user', 'create', SERVICE_ACCOUNT, servicePassword, ...database]);

  const userShow = await run('samba-tool', [
    'user',
    'show',
    SERVICE_ACCOUNT,
    '--attributes=objectSid',
    ...database,
  ]);
  const sid = /^objectSid: (S-[\d-]+)$/m.exec(userShow.stdout)?.[1];
  if (!sid) throw new Error(`no objectSid for ${SERVICE_ACCOUNT} in: ${userShow.stdout}`);

  // Inherit-only ACEs on the OU that apply to user objects below it: the Reset Password
  // extended right, and Write Property on lockoutTime and pwdLastSet. Nothing else.
  const aces = [
    `(OA;CIIO;CR;${GUID.resetPasswordRight};${GUID.userClass};${sid})`,
    `(OA;CIIO;WP;${GUID.lockoutTimeAttribute};${GUID.userClass};${sid})`,
    `(OA;CIIO;WP;${GUID.pwdLastSetAttribute};${GUID.userClass};${sid})`,
  ];
  await run('samba-tool', [
    'dsacl',
    'set',
    `--objectdn=${DELEGATED_OU}`,
    `--sddl=${aces.join('')}`,
    ...database,
  ]);

  await run('samba-tool', [
    'domain',
    'passwordsettings',
    'set',
    `--account-lockout-threshold=${TEST_LOCKOUT.threshold}`,
    `--account-lockout-duration=${TEST_LOCKOUT.durationMinutes}`,
    `--reset-account-lockout-after=${TEST_LOCKOUT.durationMinutes}`,
    '--min-pwd-age=0',
    ...database,
  ]);
}

/** Generates a random password that meets AD complexity: upper, lower, digit and symbol. */
export function randomPassword(): string {
  return `Pw-${randomBytes(9).toString('base64url')}-7a!`;
}
