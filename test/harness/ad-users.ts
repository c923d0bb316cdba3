import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Attribute, Change, Client, InvalidCredentialsError } from 'ldapts';
import { randomPassword, TEST_LOCKOUT } from './samba.js';
import type { SambaService } from './services.js';

/** A user created in the test domain, with the password it was created with. */
export interface TestUser {
  readonly sAMAccountName: string;
  readonly upn: string;
  readonly mail: string;
  readonly dn: string;
  readonly password: string;
  /** The mobile attribute as stored, or null when the user has none. */
  readonly mobile: string | null;
}

export interface CreateUserOptions {
  /** `delegated` (default) is the OU where the service account may reset and unlock. */
  readonly ou?: 'delegated' | 'outside';
  /** A mobile number to store; null stores none. Default: a unique +90 532 number. */
  readonly mobile?: string | null;
  readonly disabled?: boolean;
  /** Adds the user to Domain Admins and sets adminCount to 1. */
  readonly privileged?: boolean;
  /** A mail address other than the UPN. */
  readonly mail?: string;
}

const UF_NORMAL_ACCOUNT = 0x200;
const UF_ACCOUNTDISABLE = 0x2;

let created = 0;

/** Creates a user with a unique name, as the domain administrator. */
export async function createUser(
  samba: SambaService,
  options: CreateUserOptions = {},
): Promise<TestUser> {
  created += 1;
  // sAMAccountName allows at most 20 characters.
  const sAMAccountName = `t${created}${randomBytes(5).toString('hex')}`;
  const domain = samba.realm.toLowerCase();
  const upn = `${sAMAccountName}@${domain}`;
  const ou = options.ou === 'outside' ? samba.outsideOu : samba.delegatedOu;
  const dn = `CN=${sAMAccountName},${ou}`;
  const password = randomPassword();
  const mobile = options.mobile === undefined ? uniqueMobile() : options.mobile;
  const mail = options.mail ?? upn;
  const control = UF_NORMAL_ACCOUNT | (options.disabled ? UF_ACCOUNTDISABLE : 0);

  const attributes = [
    text('objectClass', 'user'),
    text('sAMAccountName', sAMAccountName),
    text('userPrincipalName', upn),
    text('mail', mail),
    text('displayName', `Test User ${created}`),
    text('userAccountControl', String(control)),
    new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"${password}"`, 'utf16le')] }),
  ];
  if (mobile !== null) attributes.push(text('mobile', mobile));

  await asAdmin(samba, async (client) => {
    await client.add(dn, attributes);
    if (options.privileged) {
      const domainAdmins = `CN=Domain Admins,CN=Users,${samba.baseDn}`;
      await client.modify(domainAdmins, change('add', 'member', dn));
      await client.modify(dn, change('replace', 'adminCount', '1'));
    }
  });
  return { sAMAccountName, upn, mail, dn, password, mobile };
}

/** Creates a security group in the delegated OU and returns its DN. */
export async function createGroup(samba: SambaService): Promise<string> {
  created += 1;
  const name = `g${created}${randomBytes(5).toString('hex')}`;
  const dn = `CN=${name},${samba.delegatedOu}`;
  await asAdmin(samba, (client) =>
    client.add(dn, [text('objectClass', 'group'), text('sAMAccountName', name)]),
  );
  return dn;
}

/** Adds a user or group to a group, as the domain administrator. */
export async function addMember(samba: SambaService, groupDn: string, memberDn: string) {
  await asAdmin(samba, (client) => client.modify(groupDn, change('add', 'member', memberDn)));
}

/**
 * Locks the account the way a user does: binds with a wrong password until AD locks it,
 * then checks that lockoutTime is set.
 */
export async function lockOut(samba: SambaService, user: TestUser): Promise<void> {
  for (let attempt = 0; attempt < TEST_LOCKOUT.threshold; attempt += 1) {
    const bound = await canBind(samba, user.upn, `wrong-${randomBytes(4).toString('hex')}`);
    if (bound) throw new Error(`${user.upn} bound with a wrong password`);
  }
  const [lockoutTime] = (await readAttributes(samba, user.dn, ['lockoutTime'])).lockoutTime ?? [];
  if (lockoutTime === undefined || lockoutTime === '0') {
    throw new Error(
      `${user.upn} is not locked after ${TEST_LOCKOUT.threshold} bad passwords: lockoutTime=${lockoutTime}`,
    );
  }
}

/** Binds as the user over LDAPS. False for invalid credentials, a locked or disabled account. */
export async function canBind(
  samba: SambaService,
  upn: string,
  password: string,
): Promise<boolean> {
  const client = connect(samba);
  try {
    await client.bind(upn, password);
    return true;
  } catch (error) {
    if (error instanceof InvalidCredentialsError) return false;
    throw error;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Reads attributes of one entry as the administrator, every value as a string. */
export async function readAttributes(
  samba: SambaService,
  dn: string,
  attributes: string[],
): Promise<Record<string, string[]>> {
  return asAdmin(samba, async (client) => {
    const { searchEntries } = await client.search(dn, { scope: 'base', attributes });
    const entry = searchEntries[0];
    if (!entry) throw new Error(`${dn} not found`);
    const result: Record<string, string[]> = {};
    for (const name of attributes) {
      const key = Object.keys(entry).find(
        (candidate) => candidate.toLowerCase() === name.toLowerCase(),
      );
      const value = key === undefined ? [] : entry[key];
      let list: (string | Buffer)[] = [];
      if (Array.isArray(value)) list = value;
      else if (value !== undefined) list = [value];
      result[name] = list.map((item) => (Buffer.isBuffer(item) ? item.toString('utf8') : item));
    }
    return result;
  });
}

async function asAdmin<T>(samba: SambaService, work: (client: Client) => Promise<T>): Promise<T> {
  const client = connect(samba);
  try {
    await client.bind(samba.adminBindDn, samba.adminPassword);
    return await work(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

function connect(samba: SambaService): Client {
  return new Client({
    url: samba.url,
    connectTimeout: 5000,
    timeout: 15_000,
    tlsOptions: { ca: [readFileSync(samba.caFile)], servername: samba.serverName },
  });
}

let mobiles = 0;

/** Generates a +90 532 mobile number, formatted as people type it, unique within this process. */
function uniqueMobile(): string {
  mobiles += 1;
  const digits = String((process.pid * 1000 + mobiles) % 10_000_000).padStart(7, '0');
  return `+90 532 ${digits.slice(0, 3)} ${digits.slice(3, 5)} ${digits.slice(5, 7)}`;
}

function text(type: string, value: string): Attribute {
  return new Attribute({ type, values: [value] });
}

function change(operation: 'add' | 'replace', type: string, value: string): Change {
  return new Change({ operation, modification: text(type, value) });
}
