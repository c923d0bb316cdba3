/** Plain-data conversation state. It never contains a password or a code. */
export interface FlowState {
  readonly flow: string;
  readonly step: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** Epoch milliseconds after which the flow has expired. */
  readonly expiresAt: number;
  /** Epoch milliseconds of the last successful verification, and the account it proved. */
  readonly verifiedAt?: number;
  readonly verifiedDn?: string;
  /** The method that proved it: only an SMS verification may change the secondary e-mail. */
  readonly verifiedBy?: 'sms' | 'email';
}

export type TurnClaim =
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'claimed'; readonly state: FlowState | undefined; readonly token: string };

/**
 * Conversation state with turn serialisation. In one step, `claim` records the turn id,
 * so that a redelivery is seen as a duplicate, takes the conversation's lock and loads
 * its state. `release` saves the new state and frees the lock.
 */
export interface StateStore {
  claim(conversation: string, turnId: string, waitMs: number): Promise<TurnClaim>;
  release(
    conversation: string,
    token: string,
    state: FlowState | undefined,
    ttlSeconds: number,
  ): Promise<void>;
  /** Frees the lock without saving, after a failed turn. The turn id stays recorded. */
  abandon(conversation: string, token: string): Promise<void>;
}
