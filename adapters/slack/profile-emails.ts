import { type SlackApi, slackErrorOf } from './slack-api.js';

/** How long a looked-up e-mail is reused, in milliseconds. */
const CACHE_TTL_MS = 5 * 60_000;
/** Entries kept before the oldest is dropped. */
const MAX_ENTRIES = 10_000;

export type EmailLookup =
  /** `email` is undefined for bots, deleted users and profiles without an address. */
  | { readonly ok: true; readonly email: string | undefined }
  /** users.info failed; the failure is already logged. */
  | { readonly ok: false };

/**
 * The e-mail address in a Slack user's profile (`users.info` → `profile.email`, which
 * needs the users:read.email scope), cached for a few minutes per workspace and user.
 * Failed look-ups are not cached.
 */
export class ProfileEmails {
  private readonly cache = new Map<string, { email: string | undefined; expiresAt: number }>();

  constructor(
    private readonly api: SlackApi,
    private readonly now: () => number = Date.now,
  ) {}

  async lookUp(tenantId: string, userId: string): Promise<EmailLookup> {
    const key = `${tenantId}:${userId}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.now()) return { ok: true, email: cached.email };

    let unknownUser = false;
    const response = await this.api.call('users.info', async (client) => {
      try {
        return await client.users.info({ user: userId });
      } catch (error) {
        // An id Slack does not know maps to no account: the neutral reply, not an outage.
        if (slackErrorOf(error) !== 'user_not_found') throw error;
        unknownUser = true;
        return undefined;
      }
    });
    if (unknownUser) return { ok: true, email: undefined };
    if (!response?.user) return { ok: false };

    const user = response.user;
    const usable = user.is_bot !== true && user.deleted !== true;
    const email = usable ? nonEmpty(user.profile?.email) : undefined;
    this.remember(key, email);
    return { ok: true, email };
  }

  private remember(key: string, email: string | undefined): void {
    this.cache.delete(key);
    if (this.cache.size >= MAX_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, { email, expiresAt: this.now() + CACHE_TTL_MS });
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
