import type { AuditTrail } from '../audit/audit.js';
import type { CodeSettings } from '../codes/code-store.js';
import type { Env } from '../config/schema.js';
import type { Dialog } from '../engine/dialog.js';
import { FlowEngine } from '../engine/flow-engine.js';
import type { Services } from '../engine/services.js';
import type { Logger } from '../log/logger.js';

/** The engine with the services it runs on, and how to shut them down. */
export interface App {
  readonly config: Readonly<Env>;
  readonly services: Services;
  readonly engine: FlowEngine;
  readonly logger: Logger;
  /** Checks every dependency, and rejects with the first that does not respond. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** A service bundle together with the clean-up its connections need. */
export interface ServiceSet {
  readonly services: Services;
  readonly check: () => Promise<void>;
  readonly close: () => Promise<void>;
}

export function codeSettings(config: Readonly<Env>): CodeSettings {
  if (config.CODE_HASH_KEY === undefined) throw new Error('CODE_HASH_KEY is not set');
  return {
    length: config.CODE_LENGTH,
    ttlSeconds: config.CODE_TTL_SECONDS,
    maxAttempts: config.CODE_MAX_ATTEMPTS,
    resendCooldownSeconds: config.CODE_RESEND_COOLDOWN_SECONDS,
    maxSendsPerAccountPerHour: config.CODE_MAX_SENDS_PER_ACCOUNT_PER_HOUR,
    maxSendsPerDestinationPerHour: config.CODE_MAX_SENDS_PER_DESTINATION_PER_HOUR,
    hashKey: config.CODE_HASH_KEY,
  };
}

/** Puts the engine on top of a service set. */
export function assembleApp(
  config: Readonly<Env>,
  logger: Logger,
  set: ServiceSet,
  dialogs: readonly Dialog[],
  now?: () => number,
): App {
  const engine = new FlowEngine({ services: set.services, config, logger, dialogs, now });
  return { config, services: set.services, engine, logger, check: set.check, close: set.close };
}

export type { AuditTrail };
