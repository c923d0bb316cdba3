import { type Connection, type Model, Schema } from 'mongoose';
import { runDatabaseCall } from '../db/mongo.js';
import type { Logger } from '../log/logger.js';
import type { AuditEvent, AuditTrail } from './audit.js';
import { auditLogFields, buildAuditEvent } from './audit-event-guard.js';
import { checkRecentLimit } from './recent-limit.js';
import type { SyslogSender } from './syslog.js';

type AuditDocument = { -readonly [Field in keyof AuditEvent]: AuditEvent[Field] };

const auditSchema = new Schema<AuditDocument>(
  {
    at: { type: Date, required: true },
    action: { type: String, required: true },
    outcome: { type: String, required: true },
    chatKey: { type: String, required: true },
    platform: { type: String, required: true },
    accountDn: { type: String },
    sAMAccountName: { type: String },
    method: { type: String },
    destination: { type: String },
    reason: { type: String },
    flow: { type: String },
  },
  { collection: 'audit_events', versionKey: false, strict: 'throw' },
);
auditSchema.index({ chatKey: 1, at: -1 });
auditSchema.index({ accountDn: 1, at: -1 });
auditSchema.index({ at: -1 });

function auditModel(connection: Connection): Model<AuditDocument> {
  const existing = connection.models.AuditEvent as Model<AuditDocument> | undefined;
  return existing ?? connection.model<AuditDocument>('AuditEvent', auditSchema);
}

/**
 * Audit events in the MongoDB `audit_events` collection. Each event is also logged at info
 * as `audit` and sent to syslog when a sender is given. `record()` never throws: when the
 * insert fails, the event is logged at error and the caller carries on. Call
 * `ensureIndexes()` once at start. Events are kept until an administrator removes them.
 */
export class MongoAuditTrail implements AuditTrail {
  readonly #model: Model<AuditDocument>;

  constructor(
    connection: Connection,
    private readonly logger: Logger,
    private readonly syslog?: SyslogSender,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#model = auditModel(connection);
  }

  /** Creates the collection's indexes when they are missing. Existing ones are kept. */
  async ensureIndexes(): Promise<void> {
    await runDatabaseCall('create audit indexes', () => this.#model.createIndexes());
  }

  async record(input: Omit<AuditEvent, 'at'>): Promise<void> {
    const event = buildAuditEvent(input, this.now(), this.logger);
    const fields = auditLogFields(event);
    this.logger.info(fields, 'audit');

    try {
      await runDatabaseCall('store audit event', () => this.#model.create({ ...event }));
    } catch (error) {
      this.logger.error({ err: error, event: fields }, 'audit event could not be stored');
    }
    // Not awaited, so a slow collector never holds up a conversation. send() logs failures.
    void this.syslog?.send(event);
  }

  /** Returns events most recent first. Events with the same `at` come newest insert first. */
  async recent(filter: {
    chatKey?: string;
    accountDn?: string;
    limit: number;
  }): Promise<AuditEvent[]> {
    const limit = checkRecentLimit(filter.limit);
    const query: Record<string, string> = {};
    if (filter.chatKey !== undefined) query.chatKey = filter.chatKey;
    if (filter.accountDn !== undefined) query.accountDn = filter.accountDn;

    const documents = await runDatabaseCall('read audit events', () =>
      this.#model
        .find(query, { _id: 0 })
        .sort({ at: -1, _id: -1 })
        .limit(limit)
        .lean<AuditDocument[]>()
        .exec(),
    );
    return documents.map(toAuditEvent);
  }
}

/** Copies only the event fields, so a stray stored field never leaves the store. */
function toAuditEvent(document: AuditDocument): AuditEvent {
  const event: Record<string, unknown> = { at: document.at };
  for (const [field, value] of Object.entries(auditLogFields(document))) {
    if (field !== 'at' && value !== null) event[field] = value;
  }
  return event as unknown as AuditEvent;
}
