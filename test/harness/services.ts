import { inject } from 'vitest';

/**
 * Connection details of the real servers that the integration global setup starts, as
 * handed to tests through vitest's `inject('services')`.
 */
export interface SambaService {
  /** ldaps://127.0.0.1:636 */
  readonly url: string;
  readonly caFile: string;
  /** The DC's host name that its certificate is issued to. */
  readonly serverName: string;
  readonly realm: string;
  /** DC=corp,DC=example,DC=test */
  readonly baseDn: string;
  /** The OU on which the service account holds delegated reset and unlock rights. */
  readonly delegatedOu: string;
  /** An OU outside the delegation. */
  readonly outsideOu: string;
  readonly serviceBindDn: string;
  readonly servicePassword: string;
  /** Administrator, for seeding and checking test data only. */
  readonly adminBindDn: string;
  readonly adminPassword: string;
  /** The samba private folder, for samba-tool and ldbmodify. */
  readonly privateDir: string;
  readonly smbConf: string;
}

export interface TestServices {
  /** Each is undefined when SSPR_TEST_SERVICES left that server out. */
  readonly samba: SambaService | undefined;
  /** redis://127.0.0.1:<port> of a private instance for this run. */
  readonly redisUrl: string | undefined;
  /** mongodb://127.0.0.1:<port>/<db> of FerretDB, or MONGODB_URI when that was set. */
  readonly mongodbUri: string | undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: TestServices;
  }
}

/** Returns the started servers. Each getter fails the test when its server was not started. */
export function services() {
  const provided = inject('services');
  const need = <T>(value: T | undefined, name: string): T => {
    if (value === undefined)
      throw new Error(`${name} was not started: add it to SSPR_TEST_SERVICES`);
    return value;
  };
  return {
    samba: () => need(provided.samba, 'samba'),
    redisUrl: () => need(provided.redisUrl, 'redis'),
    mongodbUri: () => need(provided.mongodbUri, 'mongo'),
  };
}
