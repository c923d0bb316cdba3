import type { Logger } from '../log/logger.js';
import type { AuditEvent, AuditTrail } from './audit.js';
import { auditLogFields, buildAuditEvent } from './audit-event-guard.js';
import { checkRecentLimit } from './recent-limit.js';
import type { SyslogSender } from './syslog.js';

/**
 * Audit events in process memory, for the demo and for unit tests. Like
 * `MongoAuditTrail`, it logs each event and sends it to syslog when a sender is given.
 * Events are lost when the process exits.
 */
export class MemoryAuditTrail implements AuditTrail {
  readonly #events: AuditEvent[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly syslog?: SyslogSender,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(input: Omit<AuditEvent, 'at'>): Promise<void> {
    const event = Object.freeze(buildAuditEvent(input, this.now(), this.logger));
    this.logger.info(auditLogFields(event), 'audit');
    this.#events.push(event);
    // Not awaited, so a slow collector never holds up a conversation. send() logs failures.
    void this.syslog?.send(event);
  }

  /** Returns events most recent first. Events with the same `at` come newest record first. */
  async recent(filter: {
    chatKey?: string;
    accountDn?: string;
    limit: number;
  }): Promise<AuditEvent[]> {
    const limit = checkRecentLimit(filter.limit);
    const matching = this.#events.filter(
      (event) =>
        (filter.chatKey === undefined || event.chatKey === filter.chatKey) &&
        (filter.accountDn === undefined || event.accountDn === filter.accountDn),
    );
    const newestFirst = matching
      .map((event, index) => ({ event, index }))
      .sort((a, b) => b.event.at.getTime() - a.event.at.getTime() || b.index - a.index);
    return newestFirst.slice(0, limit).map(({ event }) => event);
  }
}
