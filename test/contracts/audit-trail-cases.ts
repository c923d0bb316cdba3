import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, AuditTrail } from '../../src/audit/audit.js';
import type { SyslogSender } from '../../src/audit/syslog.js';
import type { Logger } from '../../src/log/logger.js';
import { type CapturedLog, captureLog } from './log-capture.js';

export interface AuditTrailOpenOptions {
  readonly logger: Logger;
  readonly now: () => Date;
  readonly syslog: SyslogSender;
}

/** A trail under test, on storage that no other test writes to. */
export interface AuditTrailSubject {
  readonly trail: AuditTrail;
  /** The stored records as they are at rest, where the storage can show them. */
  readonly rawRecords?: () => Promise<Record<string, unknown>[]>;
}

export interface AuditTrailContract {
  open(options: AuditTrailOpenOptions): Promise<AuditTrailSubject>;
  /** Opens a trail whose database has gone away. Omit it where there is no database. */
  openUnavailable?: (logger: Logger) => Promise<AuditTrail>;
}

const ACCOUNT = 'CN=Ayse Demir,OU=Staff,DC=corp,DC=example,DC=test';
const OTHER_ACCOUNT = 'CN=Mehmet Kaya,OU=Staff,DC=corp,DC=example,DC=test';

function newChatKey(): string {
  return `teams:tenant-1:${randomUUID()}`;
}

function sampleEvent(overrides: Partial<Omit<AuditEvent, 'at'>> = {}): Omit<AuditEvent, 'at'> {
  return {
    action: 'password.reset',
    outcome: 'success',
    chatKey: newChatKey(),
    platform: 'teams',
    accountDn: ACCOUNT,
    sAMAccountName: 'ademir',
    method: 'sms',
    destination: '+90*******4567',
    flow: 'reset',
    ...overrides,
  };
}

/** Returns a syslog sender that keeps every event it is given. */
function recordingSyslog(): SyslogSender & { readonly sent: AuditEvent[] } {
  const sent: AuditEvent[] = [];
  return { sent, send: async (event) => void sent.push(event), close: async () => {} };
}

/**
 * Defines the cases every AuditTrail must pass, so the in-memory trail and the MongoDB
 * trail are held to the same behaviour.
 */
export function describeAuditTrailContract(name: string, contract: AuditTrailContract): void {
  describe(`${name} audit trail contract`, () => {
    let current = new Date('2026-03-01T09:00:00.000Z').getTime();
    const now = () => new Date(current);
    const advance = (ms: number) => {
      current += ms;
    };

    const open = async () => {
      const log = captureLog();
      const syslog = recordingSyslog();
      const subject = await contract.open({ logger: log.logger, now, syslog });
      return { ...subject, log, syslog };
    };

    it('record stores event', async () => {
      const { trail } = await open();
      const event = sampleEvent();

      await trail.record(event);

      expect(await trail.recent({ chatKey: event.chatKey, limit: 10 })).toEqual([
        { ...event, at: now() },
      ]);
    });

    it('record logs and sends to syslog', async () => {
      const { trail, log, syslog } = await open();
      const event = sampleEvent({ outcome: 'failure', reason: 'DIRECTORY_POLICY' });

      await trail.record(event);

      const auditLines = log.lines.filter((line) => line.msg === 'audit');
      expect(auditLines).toHaveLength(1);
      expect(auditLines[0]).toMatchObject({ level: 30, ...event, at: now().toISOString() });
      expect(syslog.sent).toEqual([{ ...event, at: now() }]);
    });

    it('recent newest first', async () => {
      const { trail } = await open();
      const chatKey = newChatKey();
      const actions = ['code.sent', 'verify.succeeded', 'password.reset'] as const;
      for (const action of actions) {
        advance(1_000);
        await trail.record(sampleEvent({ chatKey, action }));
      }

      const recent = await trail.recent({ chatKey, limit: 10 });

      expect(recent.map((event) => event.action)).toEqual([...actions].reverse());
      expect(recent[0]?.at).toEqual(now());
    });

    it('recent same time newest first', async () => {
      const { trail } = await open();
      const chatKey = newChatKey();
      advance(1_000);
      await trail.record(sampleEvent({ chatKey, action: 'code.sent' }));
      await trail.record(sampleEvent({ chatKey, action: 'verify.failed', outcome: 'failure' }));
      await trail.record(sampleEvent({ chatKey, action: 'verify.succeeded' }));

      const recent = await trail.recent({ chatKey, limit: 10 });

      expect(recent.map((event) => event.action)).toEqual([
        'verify.succeeded',
        'verify.failed',
        'code.sent',
      ]);
    });

    it('recent filters and limit', async () => {
      const { trail } = await open();
      const first = newChatKey();
      const second = newChatKey();
      advance(1_000);
      await trail.record(sampleEvent({ chatKey: first, accountDn: ACCOUNT, action: 'code.sent' }));
      advance(1_000);
      await trail.record(sampleEvent({ chatKey: second, accountDn: ACCOUNT, action: 'code.sent' }));
      advance(1_000);
      await trail.record(
        sampleEvent({ chatKey: second, accountDn: OTHER_ACCOUNT, action: 'account.unlocked' }),
      );

      const byChatKey = await trail.recent({ chatKey: second, limit: 10 });
      const byAccount = await trail.recent({ accountDn: ACCOUNT, limit: 10 });
      const byBoth = await trail.recent({ chatKey: second, accountDn: ACCOUNT, limit: 10 });
      const everything = await trail.recent({ limit: 10 });
      const limited = await trail.recent({ accountDn: ACCOUNT, limit: 1 });

      expect(byChatKey.map((event) => event.action)).toEqual(['account.unlocked', 'code.sent']);
      expect(byAccount.map((event) => event.chatKey)).toEqual([second, first]);
      expect(byBoth).toHaveLength(1);
      expect(byBoth[0]?.accountDn).toBe(ACCOUNT);
      expect(everything).toHaveLength(3);
      expect(limited.map((event) => event.chatKey)).toEqual([second]);
    });

    it('recent rejects invalid limit', async () => {
      const { trail } = await open();

      await expect(trail.recent({ limit: 0 })).rejects.toThrow(/limit 0 is invalid/);
      await expect(trail.recent({ limit: 2.5 })).rejects.toThrow(/limit 2.5 is invalid/);
    });

    it('secret fields never stored or logged', async () => {
      const { trail, log, syslog, rawRecords } = await open();
      const chatKey = newChatKey();
      const secrets = {
        password: 'Winter2026!secret',
        newPassword: 'Spring2026!secret',
        code: '482913',
        token: 'xoxb-secret-token',
        verificationCode: '773311',
      };
      const event = { ...sampleEvent({ chatKey }), ...secrets } as Omit<AuditEvent, 'at'>;

      await trail.record(event);

      const [stored] = await trail.recent({ chatKey, limit: 1 });
      expect(stored).toBeDefined();
      for (const field of Object.keys(secrets)) {
        expect(stored, `stored event has ${field}`).not.toHaveProperty(field);
        expect(syslog.sent[0], `syslog event has ${field}`).not.toHaveProperty(field);
      }
      for (const value of Object.values(secrets)) {
        expect(log.text()).not.toContain(value);
        const raw = JSON.stringify((await rawRecords?.()) ?? []);
        expect(raw).not.toContain(value);
      }

      const dropped = log.lines.filter(
        (line) => line.level === 50 && typeof line.field === 'string',
      );
      expect(dropped.map((line) => line.field).sort()).toEqual(Object.keys(secrets).sort());
    });

    it('unknown and non-string fields dropped', async () => {
      const { trail, log } = await open();
      const chatKey = newChatKey();
      const event = {
        ...sampleEvent({ chatKey }),
        extra: 'not an audit field',
        reason: { nested: true },
      } as unknown as Omit<AuditEvent, 'at'>;

      await trail.record(event);

      const [stored] = await trail.recent({ chatKey, limit: 1 });
      expect(stored).not.toHaveProperty('extra');
      expect(stored).not.toHaveProperty('reason');
      const warned = log.lines.filter((line) => line.level === 40).map((line) => line.field);
      expect(warned.sort()).toEqual(['extra', 'reason']);
    });

    it.runIf(Boolean(contract.openUnavailable))('record survives database down', async () => {
      const log = captureLog();
      const trail = await contract.openUnavailable?.(log.logger);
      if (!trail) throw new Error('openUnavailable returned no trail');
      const event = sampleEvent();

      const started = Date.now();
      await expect(trail.record(event)).resolves.toBeUndefined();
      const elapsedMs = Date.now() - started;

      expect(elapsedMs).toBeLessThan(2_500);
      expectStoreFailureLogged(log, event);
    });
  });
}

function expectStoreFailureLogged(log: CapturedLog, event: Omit<AuditEvent, 'at'>): void {
  const failure = log.lines.find((line) => line.msg === 'audit event could not be stored');
  expect(failure?.level).toBe(50);
  expect(failure?.event).toMatchObject({ action: event.action, chatKey: event.chatKey });
  expect(JSON.stringify(failure?.err)).toContain('MongoDB is unreachable or timed out');
}
