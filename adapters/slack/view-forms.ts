/** How long a modal's current form id is kept, in milliseconds. */
const TTL_MS = 60 * 60_000;
/** Modals tracked before the oldest is dropped. */
const MAX_ENTRIES = 1000;

/**
 * Form ids of still-open modals whose form the engine re-offered with an inline error. Slack keeps the modal (and its private_metadata) unchanged in that case,
 * so the new id is kept here, in process memory.
 *
 * NOTE: with several replicas behind one URL, a resubmission can reach a replica that
 * never saw the error. The engine then treats the form as stale and the user is asked
 * to use the newest message.
 */
export class ViewForms {
  private readonly entries = new Map<string, { formId: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  current(viewId: string): string | undefined {
    const entry = this.entries.get(viewId);
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    return entry.formId;
  }

  remember(viewId: string, formId: string): void {
    this.entries.delete(viewId);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(viewId, { formId, expiresAt: this.now() + TTL_MS });
  }

  forget(viewId: string): void {
    this.entries.delete(viewId);
  }
}
