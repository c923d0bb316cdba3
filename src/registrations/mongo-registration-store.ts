import { type Connection, type Model, Schema, type UpdateQuery } from 'mongoose';
import { isDuplicateKeyError, runDatabaseCall, toDatabaseError } from '../db/mongo.js';
import { AppError } from '../errors/catalog.js';
import type { Registration, RegistrationStore, VerificationMethod } from './registration-store.js';

/** One document in the `registrations` collection. */
interface RegistrationDocument {
  chatKey: string;
  accountDn: string;
  secondaryEmail?: string | null;
  emailVerifiedAt?: Date | null;
  preferredMethod: VerificationMethod;
  updatedAt: Date;
}

const registrationSchema = new Schema<RegistrationDocument>(
  {
    chatKey: { type: String, required: true },
    accountDn: { type: String, required: true },
    secondaryEmail: { type: String },
    emailVerifiedAt: { type: Date },
    preferredMethod: { type: String, enum: ['sms', 'email'], required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'registrations', versionKey: false, strict: 'throw' },
);
registrationSchema.index({ chatKey: 1 }, { unique: true });
registrationSchema.index({ accountDn: 1 });

function registrationModel(connection: Connection): Model<RegistrationDocument> {
  const existing = connection.models.Registration as Model<RegistrationDocument> | undefined;
  return existing ?? connection.model<RegistrationDocument>('Registration', registrationSchema);
}

/**
 * Registrations in the MongoDB `registrations` collection, one document per chatKey. Each
 * write is an atomic `findOneAndUpdate` (a relink takes two), so concurrent writes for one
 * user leave one consistent document. Call `ensureIndexes()` once at start: the unique index
 * on chatKey is what keeps concurrent upserts from creating a second document.
 *
 * The store does not own the connection: `close()` leaves it open for its owner to close.
 */
export class MongoRegistrationStore implements RegistrationStore {
  readonly #model: Model<RegistrationDocument>;
  readonly #now: () => Date;

  constructor(connection: Connection, now: () => Date = () => new Date()) {
    this.#model = registrationModel(connection);
    this.#now = now;
  }

  /** Creates the collection's indexes when they are missing. Existing ones are kept. */
  async ensureIndexes(): Promise<void> {
    await runDatabaseCall('create registration indexes', () => this.#model.createIndexes());
  }

  async get(chatKey: string): Promise<Registration | undefined> {
    const found = await runDatabaseCall('read registration', () =>
      this.#model.findOne({ chatKey }).lean<RegistrationDocument>().exec(),
    );
    return found ? toRegistration(found) : undefined;
  }

  /**
   * Links the chat identity to an account. When it was linked to a different account
   * before, the secondary e-mail is dropped, because it was verified for that account.
   */
  async linkAccount(chatKey: string, accountDn: string): Promise<Registration> {
    // A second try covers a concurrent link that changed the document between the steps.
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const linked = await this.#linkSameAccount(chatKey, accountDn);
      if (linked) return linked;

      const relinked = await this.#update(
        'relink account',
        { chatKey, accountDn: { $ne: accountDn } },
        {
          $set: { accountDn, preferredMethod: 'sms', updatedAt: this.#now() },
          $unset: { secondaryEmail: 1, emailVerifiedAt: 1 },
        },
      );
      if (relinked) return relinked;
    }
    throw new AppError('DATABASE_FAILED', {
      detail: `link account: the registration for ${chatKey} changed during both attempts`,
    });
  }

  /**
   * Updates the document when it is already linked to accountDn, or inserts it when there is
   * none. Returns undefined when a document links chatKey to another account, because the
   * insert then fails on the unique chatKey index.
   */
  async #linkSameAccount(chatKey: string, accountDn: string): Promise<Registration | undefined> {
    try {
      const linked = await this.#model
        .findOneAndUpdate(
          { chatKey, accountDn },
          { $set: { updatedAt: this.#now() }, $setOnInsert: { preferredMethod: 'sms' } },
          { upsert: true, returnDocument: 'after' },
        )
        .lean<RegistrationDocument>()
        .orFail()
        .exec();
      return toRegistration(linked);
    } catch (error) {
      if (isDuplicateKeyError(error)) return undefined;
      throw toDatabaseError(error, 'link account');
    }
  }

  async setSecondaryEmail(
    chatKey: string,
    accountDn: string,
    email: string,
    verifiedAt: Date,
  ): Promise<Registration> {
    return this.#upsert('set secondary e-mail', chatKey, {
      $set: {
        accountDn,
        secondaryEmail: email,
        emailVerifiedAt: verifiedAt,
        updatedAt: this.#now(),
      },
      $setOnInsert: { preferredMethod: 'sms' },
    });
  }

  async removeSecondaryEmail(chatKey: string): Promise<Registration | undefined> {
    return this.#update(
      'remove secondary e-mail',
      { chatKey },
      {
        $set: { preferredMethod: 'sms', updatedAt: this.#now() },
        $unset: { secondaryEmail: 1, emailVerifiedAt: 1 },
      },
    );
  }

  /**
   * Returns undefined, and changes nothing, when there is no registration or when `email`
   * is chosen without a secondary e-mail on file.
   */
  async setPreferredMethod(
    chatKey: string,
    method: VerificationMethod,
  ): Promise<Registration | undefined> {
    const filter =
      method === 'email' ? { chatKey, secondaryEmail: { $type: 'string' } } : { chatKey };
    return this.#update('set preferred method', filter, {
      $set: { preferredMethod: method, updatedAt: this.#now() },
    });
  }

  async close(): Promise<void> {}

  /** Updates the matching document, if any, and returns it as changed. */
  async #update(
    operation: string,
    filter: Record<string, unknown>,
    update: UpdateQuery<RegistrationDocument>,
  ): Promise<Registration | undefined> {
    const updated = await runDatabaseCall(operation, () =>
      this.#model
        .findOneAndUpdate(filter, update, { returnDocument: 'after' })
        .lean<RegistrationDocument>()
        .exec(),
    );
    return updated ? toRegistration(updated) : undefined;
  }

  /**
   * Updates or inserts the document for chatKey. Two upserts that race on a missing
   * document can both try to insert, and the loser fails with E11000 on the unique index.
   * Its retry then finds the winner's document and updates it.
   * NOTE: FerretDB 1.24 on SQLite ran 20 concurrent upserts without one E11000, so the
   * retry branch has been run only in theory, not by the contract tests.
   */
  async #upsert(
    operation: string,
    chatKey: string,
    update: UpdateQuery<RegistrationDocument>,
  ): Promise<Registration> {
    const attempt = () =>
      this.#model
        .findOneAndUpdate({ chatKey }, update, { upsert: true, returnDocument: 'after' })
        .lean<RegistrationDocument>()
        .orFail()
        .exec();

    const upserted = await runDatabaseCall(operation, async () => {
      try {
        return await attempt();
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        return attempt();
      }
    });
    return toRegistration(upserted);
  }
}

function toRegistration(document: RegistrationDocument): Registration {
  return {
    chatKey: document.chatKey,
    accountDn: document.accountDn,
    secondaryEmail: document.secondaryEmail ?? undefined,
    emailVerifiedAt: document.emailVerifiedAt ?? undefined,
    preferredMethod: document.preferredMethod,
    updatedAt: document.updatedAt,
  };
}
