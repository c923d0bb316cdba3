import type { Env } from '../config/schema.js';
import type { TurnHandler } from '../engine/turn.js';
import type { Logger } from '../log/logger.js';
import type { RouteMount } from './http-server.js';

/** The options every platform adapter gets: the frozen config, the engine, and a logger. */
export interface AdapterOptions {
  readonly config: Readonly<Env>;
  readonly engine: TurnHandler;
  readonly logger: Logger;
}

/**
 * A chat platform wired to the engine. HTTP adapters add routes to the shared server
 * through `mount`; socket adapters connect in `start`.
 */
export interface PlatformAdapter {
  readonly name: string;
  readonly mount?: RouteMount;
  start(): Promise<void>;
  stop(): Promise<void>;
}
