import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';

/** Protocol that an SMTP port speaks, as far as one connection can tell. */
export type PortProtocol =
  /** The server sent an SMTP reply line first, as a plain-text or STARTTLS port does. */
  | { readonly kind: 'plaintext' }
  /** The server completed a TLS handshake, as an implicit-TLS port (usually 465) does. */
  | { readonly kind: 'tls' }
  /** The connection opened, but neither an SMTP greeting nor a TLS handshake followed. */
  | { readonly kind: 'silent' }
  /** The connection failed, for example with ECONNREFUSED. */
  | { readonly kind: 'unreachable'; readonly code: string };

export interface ProbeOptions {
  readonly host: string;
  readonly port: number;
  /** Maximum time in ms for the whole probe. */
  readonly timeoutMs: number;
  /** SNI name for the TLS attempt, when it differs from the host. */
  readonly servername?: string | undefined;
}

/**
 * How long a plain connection waits for the greeting before a TLS handshake is tried
 * alongside. SMTP servers greet at once unless they delay on purpose, and the plain
 * connection keeps waiting, so a slow greeting still wins.
 */
const QUIET_MS = 300;

/**
 * Finds out whether an SMTP port speaks plain text or implicit TLS. The probe opens a
 * plain connection and reads the greeting. If the server stays quiet, a second connection
 * attempts a TLS handshake. Neither connection sends any SMTP command or data.
 */
export function probeSmtpPort(options: ProbeOptions): Promise<PortProtocol> {
  return new Promise((resolve) => {
    let tlsSocket: TLSSocket | undefined;
    let quietTimer: NodeJS.Timeout | undefined;

    const finish = (result: PortProtocol) => {
      clearTimeout(quietTimer);
      clearTimeout(deadline);
      plain.destroy();
      tlsSocket?.destroy();
      resolve(result);
    };
    const deadline = setTimeout(() => finish({ kind: 'silent' }), options.timeoutMs);

    const plain: Socket = tcpConnect({ host: options.host, port: options.port });
    plain.once('error', (error: NodeJS.ErrnoException) => {
      finish({ kind: 'unreachable', code: error.code ?? error.message });
    });
    plain.once('data', () => finish({ kind: 'plaintext' }));
    plain.once('connect', () => {
      quietTimer = setTimeout(() => {
        tlsSocket = attemptTls(options, () => finish({ kind: 'tls' }));
      }, QUIET_MS);
    });
  });
}

/**
 * Starts a TLS handshake and calls `onHandshake` when it completes. The certificate is
 * not checked here because this connection only distinguishes TLS from plain text and carries no
 * data. The real connection checks it. A failed handshake is ignored, because the plain
 * connection may still receive a slow greeting.
 */
function attemptTls(options: ProbeOptions, onHandshake: () => void): TLSSocket {
  const servername = options.servername ?? (isIP(options.host) === 0 ? options.host : undefined);
  const socket = tlsConnect({
    host: options.host,
    port: options.port,
    rejectUnauthorized: false,
    ...(servername === undefined ? {} : { servername }),
  });
  socket.once('secureConnect', onHandshake);
  socket.on('error', () => {});
  return socket;
}
